"""Numeric built-ins: rounding, modulo, sqrt, log, exp, odd/even, aggregates."""

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)

from ..values import FEEL_CONTEXT, is_number
from .registry import builtin


def _nums(*vals):
    return all(is_number(v) for v in vals)


def _round(n, scale, mode):
    if not _nums(n, scale) or not -6111 <= scale <= 6176:
        return None
    scale = int(scale)
    if n.as_tuple().exponent >= -scale:
        return n  # already has no more decimals than asked for
    return n.quantize(Decimal(1).scaleb(-scale), rounding=mode, context=FEEL_CONTEXT)


@builtin("decimal", ["n", "scale"])
def decimal_(n, scale):
    return _round(n, scale, ROUND_HALF_EVEN)


@builtin("round up", ["n", "scale"])
def round_up(n, scale):
    return _round(n, scale, ROUND_UP)


@builtin("round down", ["n", "scale"])
def round_down(n, scale):
    return _round(n, scale, ROUND_DOWN)


@builtin("round half up", ["n", "scale"])
def round_half_up(n, scale):
    return _round(n, scale, ROUND_HALF_UP)


@builtin("round half down", ["n", "scale"])
def round_half_down(n, scale):
    return _round(n, scale, ROUND_HALF_DOWN)


@builtin("floor", ["n", "scale?"])
def floor(n, scale=Decimal(0)):
    return _round(n, scale, ROUND_FLOOR)


@builtin("ceiling", ["n", "scale?"])
def ceiling(n, scale=Decimal(0)):
    return _round(n, scale, ROUND_CEILING)


@builtin("abs", ["n"])
def abs_(n):
    if _nums(n):
        return abs(n)
    import datetime as dt

    from ..values import YMDuration
    if isinstance(n, dt.timedelta):
        return abs(n)
    if isinstance(n, YMDuration):
        return YMDuration(abs(n.months))
    return None


@builtin("modulo", ["dividend", "divisor"])
def modulo(a, b):
    if not _nums(a, b) or b == 0:
        return None
    return FEEL_CONTEXT.subtract(a, FEEL_CONTEXT.multiply(b, (a / b).to_integral_value(rounding=ROUND_FLOOR)))


@builtin("sqrt", ["number"])
def sqrt(n):
    if not _nums(n) or n < 0:
        return None
    return n.sqrt(FEEL_CONTEXT)


@builtin("log", ["number"])
def log(n):
    if not _nums(n) or n <= 0:
        return None
    return n.ln(FEEL_CONTEXT)


@builtin("exp", ["number"])
def exp(n):
    return n.exp(FEEL_CONTEXT) if _nums(n) else None


@builtin("odd", ["number"])
def odd(n):
    if not _nums(n) or n != n.to_integral_value():
        return None
    return n % 2 != 0


@builtin("even", ["number"])
def even(n):
    if not _nums(n) or n != n.to_integral_value():
        return None
    return n % 2 == 0


def _agg_ok(items):
    return bool(items) and all(is_number(x) for x in items)


@builtin("sum", ["list"], varargs=True)
def sum_(items):
    if not items:
        return None
    if not _agg_ok(items):
        return None
    total = Decimal(0)
    for x in items:
        total = FEEL_CONTEXT.add(total, x)
    return total


@builtin("product", ["list"], varargs=True)
def product(items):
    if not _agg_ok(items):
        return None
    total = Decimal(1)
    for x in items:
        total = FEEL_CONTEXT.multiply(total, x)
    return total


@builtin("mean", ["list"], varargs=True)
def mean(items):
    if not _agg_ok(items):
        return None
    return FEEL_CONTEXT.divide(sum_(items), len(items))


@builtin("median", ["list"], varargs=True)
def median(items):
    if not _agg_ok(items):
        return None
    s = sorted(items)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else FEEL_CONTEXT.divide(s[mid - 1] + s[mid], 2)


@builtin("stddev", ["list"], varargs=True)
def stddev(items):
    if not _agg_ok(items) or len(items) < 2:
        return None
    m = FEEL_CONTEXT.divide(sum(items), len(items))
    var = FEEL_CONTEXT.divide(sum((x - m) ** 2 for x in items), len(items) - 1)
    return var.sqrt(FEEL_CONTEXT)


@builtin("mode", ["list"], varargs=True)
def mode(items):
    if not all(is_number(x) for x in items):
        return None
    counts: dict = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(k for k, c in counts.items() if c == top)

