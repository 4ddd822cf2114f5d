"""Convert submitted form values to the Python types process data holds (German messages on failure)."""

from __future__ import annotations

import re
from datetime import date, datetime

_INTEGER = re.compile(r"^[+-]?\d+$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = {"true", "on", "1", "yes", "ja", "wahr"}
_FALSE = {"false", "off", "0", "no", "nein", "falsch", ""}

MSG_INTEGER = "Bitte eine ganze Zahl eingeben"
MSG_BOOLEAN = "Bitte ja oder nein angeben"
MSG_DATE = "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben"
MSG_TEXT = "Bitte einen Text eingeben"


class ConversionError(ValueError):
    """The value does not fit the field type; str(error) is the German message."""


def to_long(value: object) -> int:
    """Convert 42, '42' or 42.0 to int; refuse '4.2', 'abc' and booleans."""
    if isinstance(value, bool):
        raise ConversionError(MSG_INTEGER)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise ConversionError(MSG_INTEGER)


def to_boolean(value: object) -> bool:
    """Convert checkbox and JSON values ('on', 'true', 'false', True, None) to bool."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConversionError(MSG_BOOLEAN)


def to_iso_date(value: object) -> str:
    """Convert a date, 'YYYY-MM-DD', 'TT.MM.JJJJ' or 'TT/MM/JJJJ' to an ISO date string."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ConversionError(MSG_DATE)
    text = value.strip()
    match = _GERMAN_DATE.match(text) or _SLASH_DATE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ConversionError(MSG_DATE)


def to_string(value: object) -> str:
    """Accept text and numbers as text; refuse lists, dicts and other structures."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConversionError(MSG_TEXT)
    return str(value)


def is_blank(value: object) -> bool:
    """Return True for a value a person left empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def format_number(value: float | int) -> str:
    """Format a limit for a German message: 1 stays '1', 2.5 becomes '2,5'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")
