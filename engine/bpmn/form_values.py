"""Convert submitted form values to the Python types process data holds (German messages on failure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_INTEGER = re.compile(r"^[+-]?\d+$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# German notation first (1.234,50 / 12,50), then plain (1234.50); thousands dots only in groups of three.
_GERMAN_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
DECIMAL_TYPES = ("double", "decimal")  # form field types that hold amounts (converted by to_decimal)
_TRUE = {"true", "on", "1", "yes", "ja", "wahr"}
_FALSE = {"false", "off", "0", "no", "nein", "falsch", ""}

MSG_INTEGER = "Bitte eine ganze Zahl eingeben"
MSG_BOOLEAN = "Bitte ja oder nein angeben"
MSG_DATE = "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben"
MSG_TEXT = "Bitte einen Text eingeben"
MSG_DECIMAL = "Bitte einen Betrag wie 12,50 oder 1.234,50 eingeben"
MSG_TICK = "Bitte ankreuzen"


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


def to_decimal(value: object) -> float:
    """Convert 12,50, 1.234,50, 12.50 or a number to float; refuse '1,2,3', 'abc' and booleans."""
    if isinstance(value, bool):
        raise ConversionError(MSG_DECIMAL)
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ConversionError(MSG_DECIMAL)
    text = value.strip().replace(" ", "").removesuffix("€").replace("\u00a0", "")
    if _PLAIN_DECIMAL.match(text) and text.count(".") == 1 and len(text.rsplit(".", 1)[1]) != 3:
        plain = text  # 12.50 is a decimal point; 1.234 stays German (one thousand two hundred thirty-four)
    elif _GERMAN_DECIMAL.match(text):
        plain = text.replace(".", "").replace(",", ".")
    else:
        raise ConversionError(MSG_DECIMAL)
    try:
        return float(Decimal(plain))
    except InvalidOperation:
        raise ConversionError(MSG_DECIMAL) from None


def unticked(fields: Iterable, clean: Mapping[str, object]) -> dict[str, list[str]]:
    """Return an error for every required checkbox the person did not tick (a required boolean must be true)."""
    return {f.id: [MSG_TICK] for f in fields
            if f.type == "boolean" and f.required and not f.readonly and clean.get(f.id) is not True}


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
