"""FEEL arithmetic on numbers, temporals and durations; None means null."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from .temporal import add_months, duration_seconds, months_between, seconds_duration
from .values import FEEL_CONTEXT, YMDuration, is_number

_DATE_LIKE = (dt.date, dt.datetime)


def _to_utc_pair(a, b):
    """Make two date-times comparable: a naive one is read as UTC when the other is aware."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        a = a if a.tzinfo else a.replace(tzinfo=dt.UTC)
        b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
    return a, b


def _as_datetime(v):
    """Promote a date to a date-time at midnight (UTC-less)."""
    if isinstance(v, dt.datetime):
        return v
    return dt.datetime(v.year, v.month, v.day)


def _time_secs(t: dt.time) -> Decimal:
    """Seconds since midnight of a time, shifted to UTC when it has an offset."""
    secs = Decimal(t.hour * 3600 + t.minute * 60 + t.second) + Decimal(t.microsecond) / 1000000
    off = t.utcoffset() if t.tzinfo else None
    if t.tzinfo is not None and off is None:
        off = t.tzinfo.utcoffset(dt.datetime(2000, 1, 1))
    return secs - (Decimal(int(off.total_seconds())) if off else 0)


def _time_plus(t: dt.time, delta: dt.timedelta) -> dt.time:
    """Add a duration to a time of day, wrapping at midnight."""
    base = dt.datetime(2000, 1, 1, t.hour, t.minute, t.second, t.microsecond)
    return (base + delta).time().replace(tzinfo=t.tzinfo)


def add(a, b):  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """FEEL a + b."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return FEEL_CONTEXT.add(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        return a + b
    if isinstance(a, YMDuration) and isinstance(b, YMDuration):
        return YMDuration(a.months + b.months)
    if isinstance(a, (dt.timedelta, YMDuration)) and not isinstance(b, (dt.timedelta, YMDuration)):
        a, b = b, a
    if isinstance(a, _DATE_LIKE) and isinstance(b, YMDuration):
        return add_months(a, b.months)
    if isinstance(a, dt.datetime) and isinstance(b, dt.timedelta):
        return a + b
    if isinstance(a, dt.date) and isinstance(b, dt.timedelta):
        return (dt.datetime(a.year, a.month, a.day) + b).date()
    if isinstance(a, dt.time) and isinstance(b, dt.timedelta):
        return _time_plus(a, b)
    return None


def negate(a):
    """FEEL -a."""
    if is_number(a):
        return -a
    if isinstance(a, dt.timedelta):
        return -a
    if isinstance(a, YMDuration):
        return YMDuration(-a.months)
    return None


def sub(a, b):
    """FEEL a - b."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return FEEL_CONTEXT.subtract(a, b)
    if isinstance(a, _DATE_LIKE) and isinstance(b, _DATE_LIKE):
        if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
            a, b = _as_datetime(a), _as_datetime(b)
        if isinstance(a, dt.datetime):
            a, b = _to_utc_pair(a, b)
        return a - b
    if isinstance(a, dt.time) and isinstance(b, dt.time):
        return seconds_duration(_time_secs(a) - _time_secs(b))
    if isinstance(b, (dt.timedelta, YMDuration)) and not isinstance(a, (Decimal, str)):
        return add(a, negate(b))
    return None


def mul(a, b):
    """FEEL a * b."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return FEEL_CONTEXT.multiply(a, b)
    if is_number(a):
        a, b = b, a
    if isinstance(a, dt.timedelta) and is_number(b):
        return seconds_duration(duration_seconds(a) * b)
    if isinstance(a, YMDuration) and is_number(b):
        return YMDuration(int((a.months * b).to_integral_value()))
    return None


def div(a, b):
    """FEEL a / b; division by zero is null."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return None if b == 0 else FEEL_CONTEXT.divide(a, b)
    if isinstance(a, dt.timedelta) and is_number(b):
        return None if b == 0 else seconds_duration(duration_seconds(a) / b)
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        d = duration_seconds(b)
        return None if d == 0 else FEEL_CONTEXT.divide(duration_seconds(a), d)
    if isinstance(a, YMDuration) and is_number(b):
        return None if b == 0 else YMDuration(int((a.months / b).to_integral_value()))
    if isinstance(a, YMDuration) and isinstance(b, YMDuration):
        return None if b.months == 0 else FEEL_CONTEXT.divide(Decimal(a.months), Decimal(b.months))
    return None


def power(a, b):
    """FEEL a ** b."""
    if not (is_number(a) and is_number(b)):
        return None
    try:
        if b == b.to_integral_value() and abs(b) < 10000:
            return FEEL_CONTEXT.power(a, int(b))
        return FEEL_CONTEXT.power(a, b)
    except (InvalidOperation, ZeroDivisionError, OverflowError):
        return None


def ym_between(a, b) -> YMDuration:
    """Years-and-months duration from a to b."""
    return YMDuration(months_between(a, b))


ARITH = {"+": add, "-": sub, "*": mul, "/": div, "**": power}
