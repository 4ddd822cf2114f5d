"""Parse and format FEEL dates, times, date-times and durations."""

import calendar
import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from .values import YMDuration

_DATE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)\Z")
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z_/+\-0-9]+)?\Z")
_DT_DUR = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?\Z")
_YM_DUR = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?\Z")


def parse_zone(text: str):
    """Turn 'Z', '+hh:mm' or '@Region/City' into a tzinfo, or None when invalid."""
    if text is None:
        return None
    if text == "Z":
        return dt.UTC
    if text.startswith("@"):
        try:
            return ZoneInfo(text[1:])
        except Exception:  # unknown zone names raise several error types
            raise ValueError(f"unknown time zone {text[1:]}") from None
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    delta = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    if delta > dt.timedelta(hours=14):
        raise ValueError("offset out of range")
    return dt.timezone(sign * delta)


def parse_date(text: str):
    """Parse yyyy-mm-dd into a date, None when invalid."""
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_time(text: str):
    """Parse hh:mm:ss[.f][zone] into a time, None when invalid."""
    m = _TIME.match(text)
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
    frac = m.group(4)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        tz = parse_zone(m.group(5))
        if h == 24 and mi == 0 and s == 0:
            h = 0
        return dt.time(h, mi, s, micro, tzinfo=tz)
    except ValueError:
        return None


def parse_datetime(text: str):
    """Parse a date or date-time string into a datetime, None when invalid."""
    if "T" not in text:
        d = parse_date(text)
        return dt.datetime(d.year, d.month, d.day) if d else None
    date_part, time_part = text.split("T", 1)
    d, t = parse_date(date_part), parse_time(time_part)
    if d is None or t is None:
        return None
    return dt.datetime.combine(d, t)


def parse_duration(text: str):
    """Parse an ISO 8601 duration into a timedelta or YMDuration, None when invalid."""
    if not isinstance(text, str) or text in ("P", "-P") or text.endswith("T"):
        return None
    m = _YM_DUR.match(text)
    if m:
        months = int(m.group(2) or 0) * 12 + int(m.group(3) or 0)
        return YMDuration(-months if m.group(1) else months)
    m = _DT_DUR.match(text)
    if m:
        secs = Decimal((m.group(5) or '0').rstrip('.'))
        delta = dt.timedelta(
            days=int(m.group(2) or 0), hours=int(m.group(3) or 0), minutes=int(m.group(4) or 0),
            seconds=int(secs), microseconds=int((secs % 1) * 1000000),
        )
        return -delta if m.group(1) else delta
    return None


def parse_temporal(text: str):
    """Parse an @-literal: date, time, date-time or duration."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_datetime(text)
    if _DATE.match(text):
        return parse_date(text)
    return parse_time(text)


def format_offset(tz, when=None) -> str:
    """Format a tzinfo as 'Z', '+hh:mm' or '@Zone'."""
    if tz is None:
        return ""
    if isinstance(tz, ZoneInfo):
        return "@" + tz.key
    off = tz.utcoffset(when)
    if not off:
        return "Z"
    sign = "-" if off < dt.timedelta(0) else "+"
    secs = abs(int(off.total_seconds()))
    out = f"{sign}{secs // 3600:02d}:{secs % 3600 // 60:02d}"
    return out + (f":{secs % 60:02d}" if secs % 60 else "")


def format_time(t: dt.time) -> str:
    """Format a time in FEEL's string form."""
    out = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    if t.microsecond:
        out += ("." + f"{t.microsecond:06d}").rstrip("0")
    return out + format_offset(t.tzinfo)


def format_date(d: dt.date) -> str:
    """Format a date as yyyy-mm-dd."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_datetime(v: dt.datetime) -> str:
    """Format a date-time in FEEL's string form."""
    return format_date(v) + "T" + format_time(v.timetz())


def format_dt_duration(d: dt.timedelta) -> str:
    """Format a days-time duration, e.g. P1DT2H."""
    total = Decimal(d.days * 86400 + d.seconds) + Decimal(d.microseconds) / 1000000
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = "P" + (f"{int(days)}D" if days else "")
    t = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    if secs:
        t += format(secs.normalize(), "f") + "S"
    if t:
        out += "T" + t
    return sign + (out if out != "P" else "PT0S")


def format_ym_duration(d: YMDuration) -> str:
    """Format a years-months duration, e.g. P1Y2M."""
    sign = "-" if d.months < 0 else ""
    y, m = divmod(abs(d.months), 12)
    out = (f"{y}Y" if y else "") + (f"{m}M" if m or not y else "")
    return f"{sign}P{out}"


def add_months(v, months: int):
    """Shift a date or date-time by whole months, clamping the day to the month's end."""
    total = v.year * 12 + (v.month - 1) + months
    year, month = divmod(total, 12)
    day = min(v.day, calendar.monthrange(year, month + 1)[1])
    return v.replace(year=year, month=month + 1, day=day)


def months_between(a, b) -> int:
    """Whole months from a to b (b - a), truncated toward zero."""
    months = (b.year - a.year) * 12 + (b.month - a.month)
    a_rest, b_rest = a.day, b.day
    if months > 0 and b_rest < a_rest:
        months -= 1
    elif months < 0 and b_rest > a_rest:
        months += 1
    return months


def duration_seconds(d: dt.timedelta) -> Decimal:
    """Total seconds of a timedelta as an exact Decimal."""
    return Decimal(d.days * 86400 + d.seconds) + Decimal(d.microseconds) / 1000000


def seconds_duration(secs: Decimal) -> dt.timedelta:
    """Build a timedelta from Decimal seconds."""
    whole = int(secs)
    return dt.timedelta(seconds=whole, microseconds=int((secs - whole) * 1000000))
