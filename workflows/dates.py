"""Date functions for scripts, conditions and DMN cells: ISO date strings in, ISO date strings out.

Forms store dates as "YYYY-MM-DD"; every function accepts such strings (or date/datetime values)
and reads "today" from the engine clock in the district's time zone, so frozen time applies.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

from engine.core import clock
from engine.core.localtime import local_date

DateLike = str | dt.date | dt.datetime


def as_date(value: DateLike) -> dt.date:
    """Read an ISO date (or the date part of an ISO timestamp) as a date."""
    if isinstance(value, dt.datetime):
        return local_date(value) if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def today() -> str:
    """Return the district's current date as ISO text."""
    return local_date(clock.now()).isoformat()


def add_days(value: DateLike, days: int) -> str:
    """Return the ISO date `days` calendar days after `value`."""
    return (as_date(value) + dt.timedelta(days=int(days))).isoformat()


def add_months(value: DateLike, months: int) -> str:
    """Return the ISO date `months` months after `value` (clamped to the month's last day)."""
    start = as_date(value)
    index = start.year * 12 + start.month - 1 + int(months)
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day).isoformat()


def month_end(value: DateLike) -> str:
    """Return the last day of the month of `value`."""
    d = as_date(value)
    return d.replace(day=calendar.monthrange(d.year, d.month)[1]).isoformat()


def first_of_next_month(value: DateLike) -> str:
    """Return the first day of the month after `value`."""
    return add_days(month_end(value), 1)


def days_until(value: DateLike) -> int:
    """Return the days from today until `value` (negative when past)."""
    return (as_date(value) - as_date(today())).days


def months_between(start: DateLike, end: DateLike | None = None) -> int:
    """Return the whole months from `start` to `end` (default today)."""
    a, b = as_date(start), as_date(end if end is not None else today())
    months = (b.year - a.year) * 12 + b.month - a.month
    return months - 1 if b.day < a.day else months


def years_between(start: DateLike, end: DateLike | None = None) -> int:
    """Return the whole years from `start` to `end` (default today), e.g. a person's age."""
    return months_between(start, end) // 12


def easter_sunday(year: int) -> dt.date:
    """Return Easter Sunday of `year` (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    day = (h + l_ - 7 * m + 33 * month + 19) % 32
    return dt.date(year, month, day)


@lru_cache(maxsize=64)
def nrw_holidays(year: int) -> frozenset[dt.date]:
    """Return the statutory public holidays of North Rhine-Westphalia in `year`."""
    easter = easter_sunday(year)
    moving = (-2, 1, 39, 50, 60)  # Good Friday, Easter Monday, Ascension, Whit Monday, Corpus Christi
    fixed = ((1, 1), (5, 1), (10, 3), (11, 1), (12, 25), (12, 26))
    return frozenset([easter + dt.timedelta(days=n) for n in moving] + [dt.date(year, m, d) for m, d in fixed])


def is_working_day(value: DateLike) -> bool:
    """Tell whether `value` is a working day in NRW (not a weekend, not a public holiday)."""
    d = as_date(value)
    return d.weekday() < 5 and d not in nrw_holidays(d.year)


def add_working_days(value: DateLike, days: int) -> str:
    """Return the ISO date `days` NRW working days after `value` (before it when negative)."""
    d, step, left = as_date(value), (1 if int(days) >= 0 else -1), abs(int(days))
    while left:
        d += dt.timedelta(days=step)
        if is_working_day(d):
            left -= 1
    return d.isoformat()


FUNCTIONS = {f.__name__: f for f in (today, add_days, add_months, month_end, first_of_next_month, days_until,
                                     months_between, years_between, add_working_days, is_working_day)}
