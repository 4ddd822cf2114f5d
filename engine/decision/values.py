"""FEEL value types, type names, equality and ordering."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal

FEEL_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=6144, Emin=-6143)


class FeelError(Exception):
    """Signal an evaluation failure that turns into null plus a warning."""


@dataclass(frozen=True)
class YMDuration:
    """A years-and-months duration, kept as a signed month count."""

    months: int

    def __lt__(self, other):
        return self.months < other.months

    def __le__(self, other):
        return self.months <= other.months


@dataclass(frozen=True)
class Range:
    """A FEEL range; None endpoints mean unbounded."""

    start: object
    end: object
    start_incl: bool
    end_incl: bool


@dataclass
class FeelFunction:
    """A callable FEEL value: user-defined, boxed or built-in."""

    params: list
    impl: object  # callable(args: list, env) -> value
    name: str = "anonymous"
    varargs: bool = False
    param_types: list = field(default_factory=list)

    def __call__(self, args, env):
        return self.impl(args, env)


def is_number(v) -> bool:
    """Tell whether v is a FEEL number (bool is not)."""
    return isinstance(v, Decimal)


def type_name(v) -> str:  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Name the FEEL type of a value."""
    if v is None:
        return "Null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, Decimal):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dt.datetime):
        return "date and time"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, dt.time):
        return "time"
    if isinstance(v, dt.timedelta):
        return "days and time duration"
    if isinstance(v, YMDuration):
        return "years and months duration"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "context"
    if isinstance(v, Range):
        return "range"
    if isinstance(v, FeelFunction):
        return "function"
    return "Any"


_COMPARABLE = {
    "number", "string", "date", "time", "date and time", "days and time duration", "years and months duration",
}


def _time_key(t: dt.time):
    """Order times: aware ones by UTC instant, naive ones as given."""
    off = t.utcoffset() if t.tzinfo else None
    if t.tzinfo is not None and off is None:
        off = t.tzinfo.utcoffset(dt.datetime(2000, 1, 1))
    secs = t.hour * 3600 + t.minute * 60 + t.second + Decimal(t.microsecond) / 1000000
    if off is not None:
        secs -= Decimal(int(off.total_seconds()))
    return secs, off is not None


def _all_equal(pairs):
    """Combine element-wise equality: the first non-True outcome decides."""
    for x, y in pairs:
        r = feel_equal(x, y)
        if r is not True:
            return r
    return True


def feel_equal(a, b):  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """FEEL '=': True/False, or None when the types are not comparable."""
    if a.__class__ is b.__class__ and a.__class__ in (str, Decimal, bool):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type_name(a), type_name(b)
    if ta != tb:
        return None
    if ta == "list":
        return False if len(a) != len(b) else _all_equal(zip(a, b, strict=False))
    if ta == "context":
        return False if set(a) != set(b) else _all_equal((a[k], b[k]) for k in a)
    if ta == "time":
        ka, kb = _time_key(a), _time_key(b)
        return ka == kb
    if ta == "date and time":
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        return a == b
    if ta == "range":
        return (
            a.start_incl == b.start_incl
            and a.end_incl == b.end_incl
            and feel_equal(a.start, b.start) is True
            and feel_equal(a.end, b.end) is True
        )
    return a == b


def feel_compare(a, b):
    """Return -1/0/1 ordering a against b, or None when not comparable."""
    if a.__class__ is Decimal and b.__class__ is Decimal:
        return (a > b) - (a < b)
    if a is None or b is None:
        return None
    ta, tb = type_name(a), type_name(b)
    if ta != tb or ta not in _COMPARABLE:
        return None
    if ta == "time":
        (ka, aa), (kb, ab) = _time_key(a), _time_key(b)
        if aa != ab:
            return None
        a, b = ka, kb
    elif ta == "date and time" and (a.tzinfo is None) != (b.tzinfo is None):
        # A local date-time is compared as if it were UTC.
        a = a if a.tzinfo else a.replace(tzinfo=dt.UTC)
        b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
    if a < b:
        return -1
    if b < a:
        return 1
    return 0


def to_list(v) -> list:
    """Wrap a non-list value as a singleton list."""
    return v if isinstance(v, list) else [v]


def decimal(v) -> Decimal:
    """Round a Decimal to FEEL precision."""
    return FEEL_CONTEXT.plus(v)
