"""Date and time built-ins."""

import calendar
import datetime as dt
from decimal import Decimal

from .registry import builtin


def _date(v):
    return v if isinstance(v, dt.date) else None


@builtin("day of year", ["date"])
def day_of_year(v):
    return Decimal(v.timetuple().tm_yday) if _date(v) else None


@builtin("day of week", ["date"])
def day_of_week(v):
    return calendar.day_name[v.weekday()] if _date(v) else None


@builtin("month of year", ["date"])
def month_of_year(v):
    return calendar.month_name[v.month] if _date(v) else None


@builtin("week of year", ["date"])
def week_of_year(v):
    return Decimal(v.isocalendar()[1]) if _date(v) else None


@builtin("last day of month", ["date"])
def last_day_of_month(v):
    return Decimal(calendar.monthrange(v.year, v.month)[1]) if _date(v) else None


_CLOCK = [lambda: dt.datetime.now(dt.UTC).astimezone()]


def set_clock(now_fn) -> None:
    """Let now() and today() read the embedding application's clock (an aware datetime in local time)."""
    _CLOCK[0] = now_fn


@builtin("now")
def now():
    return _CLOCK[0]()


@builtin("today")
def today():
    return _CLOCK[0]().date()
