"""The district's local time: calendar days and German date formats for UTC moments."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Berlin")


def local_date(now: dt.datetime) -> dt.date:
    """Return the calendar day in the district for a UTC moment."""
    return now.astimezone(LOCAL_TIME).date()


def german_date(value: dt.datetime | dt.date) -> str:
    """Format a moment (in local time) or a day as 12.03.2026."""
    if isinstance(value, dt.datetime):
        value = local_date(value)
    return value.strftime("%d.%m.%Y")


def german_time(value: dt.datetime) -> str:
    """Format a moment as local 14:05."""
    return value.astimezone(LOCAL_TIME).strftime("%H:%M")
