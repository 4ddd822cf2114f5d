"""Conversion built-ins: date, time, date and time, duration, number, string."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ..temporal import (
    format_date,
    format_datetime,
    format_dt_duration,
    format_time,
    format_ym_duration,
    months_between,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
)
from ..values import FeelFunction, Range, YMDuration, is_number
from .registry import builtin


@builtin("date", ["from"], ["year", "month", "day"])
def date(*args):
    if len(args) == 3:
        if not all(is_number(a) for a in args):
            return None
        try:
            return dt.date(int(args[0]), int(args[1]), int(args[2]))
        except ValueError:
            return None
    v = args[0]
    if isinstance(v, str):
        return parse_date(v)
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return None


@builtin("time", ["from"], ["hour", "minute", "second", "offset?"])
def time(*args):  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    if len(args) >= 3:
        h, m, s = args[:3]
        off = args[3] if len(args) > 3 else None
        if not all(is_number(a) for a in (h, m, s)):
            return None
        tz = None
        if off is not None:
            if not isinstance(off, dt.timedelta):
                return None
            tz = dt.timezone(off)
        micro = int((s - int(s)) * 1000000)
        try:
            return dt.time(int(h), int(m), int(s), micro, tzinfo=tz)
        except ValueError:
            return None
    v = args[0]
    if isinstance(v, str):
        return parse_time(v)
    if isinstance(v, dt.datetime):
        return v.timetz()
    if isinstance(v, dt.date):
        return dt.time(0, 0, 0, tzinfo=dt.UTC)
    if isinstance(v, dt.time):
        return v
    return None


@builtin("date and time", ["from"], ["date", "time"])
def date_and_time(*args):
    if len(args) == 2:
        d, t = args
        if not isinstance(d, dt.date) or not isinstance(t, dt.time):
            return None
        return dt.datetime.combine(d if not isinstance(d, dt.datetime) else d.date(), t)
    v = args[0]
    if isinstance(v, str):
        return parse_datetime(v)
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return None


@builtin("duration", ["from"])
def duration(v):
    return parse_duration(v) if isinstance(v, str) else None


@builtin("years and months duration", ["from", "to"])
def years_and_months_duration(a, b):
    if not isinstance(a, dt.date) or not isinstance(b, dt.date):
        return None
    if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
        return None if isinstance(a, dt.datetime) and isinstance(b, dt.datetime) else YMDuration(months_between(a, b))
    return YMDuration(months_between(a, b))


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


@builtin("number", ["from", "grouping separator?", "decimal separator?"])
def number(text, grouping=None, decimal_sep=None):
    if not isinstance(text, str):
        return None
    if grouping not in (None, " ", ",", ".") or decimal_sep not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal_sep:
        return None
    if grouping:
        text = text.replace(grouping, "")
    if decimal_sep:
        text = text.replace(decimal_sep, ".")
    if not _NUMBER_TEXT.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def format_number(n: Decimal) -> str:
    """Format a number without exponent."""
    if n == n.to_integral_value():
        return format(n.quantize(Decimal(1)), "f")
    return format(n.normalize(), "f")


def to_string(v, nested: bool = False) -> str:  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Render any FEEL value as FEEL's string() does."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format_number(v)
    if isinstance(v, str):
        return '"' + v.replace('"', '\\"') + '"' if nested else v
    if isinstance(v, dt.datetime):
        return format_datetime(v)
    if isinstance(v, dt.date):
        return format_date(v)
    if isinstance(v, dt.time):
        return format_time(v)
    if isinstance(v, dt.timedelta):
        return format_dt_duration(v)
    if isinstance(v, YMDuration):
        return format_ym_duration(v)
    if isinstance(v, list):
        return "[" + ", ".join(to_string(x, True) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {to_string(x, True)}" for k, x in v.items()) + "}"
    if isinstance(v, Range):
        return ("[" if v.start_incl else "(") + to_string(v.start, True) + ".." + to_string(v.end, True) + (
            "]" if v.end_incl else ")")
    if isinstance(v, FeelFunction):
        return f"function {v.name}"
    return str(v)


@builtin("string", ["from"])
def string(v):
    return None if v is None else to_string(v)
