"""Turn FEEL values into plain JSON-friendly Python values for the process data that stores them."""

import datetime as dt
from decimal import Decimal

from .builtins.conversion import to_string
from .values import FeelFunction, Range, YMDuration


def to_plain(value):
    """Return numbers as int/float, dates, times and durations as ISO text, lists and contexts recursively."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta | YMDuration | Range):
        return to_string(value)
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, FeelFunction):
        return None  # functions have no place in process data
    return value
