"""Property access on contexts, temporals, durations and ranges (path expressions)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from .temporal import duration_seconds
from .values import Range, YMDuration


def _offset(v):
    """Time offset of a time or date-time as a duration, None when local."""
    if v.tzinfo is None:
        return None
    off = v.utcoffset()
    if off is None:
        off = v.tzinfo.utcoffset(dt.datetime(2000, 1, 1))
    return off


def _temporal_prop(v, name):
    if isinstance(v, dt.date) and name in ("year", "month", "day"):
        return Decimal(getattr(v, name))
    if isinstance(v, dt.date) and name == "weekday":
        return Decimal(v.isoweekday())
    if isinstance(v, (dt.time, dt.datetime)) and name in ("hour", "minute", "second"):
        return Decimal(getattr(v, name))
    if isinstance(v, (dt.time, dt.datetime)) and name == "time offset":
        return _offset(v)
    if isinstance(v, (dt.time, dt.datetime)) and name == "timezone":
        return v.tzinfo.key if isinstance(v.tzinfo, ZoneInfo) else None
    return None


def _duration_prop(v, name):
    if isinstance(v, YMDuration):
        sign = -1 if v.months < 0 else 1
        if name == "years":
            return Decimal(sign * (abs(v.months) // 12))
        if name == "months":
            return Decimal(sign * (abs(v.months) % 12))
        return None
    total = duration_seconds(v)
    sign = -1 if total < 0 else 1
    total = abs(total)
    parts = {
        "days": total // 86400, "hours": total % 86400 // 3600,
        "minutes": total % 3600 // 60, "seconds": total % 60 // 1,
    }
    return None if name not in parts else Decimal(sign * int(parts[name]))


def get_property(target, name, env):
    """Read 'target.name'; unknown names give null."""
    if target is None:
        return None
    if isinstance(target, dict):
        return target.get(name)
    if isinstance(target, (dt.date, dt.time)):
        return _temporal_prop(target, name)
    if isinstance(target, (dt.timedelta, YMDuration)):
        return _duration_prop(target, name)
    if isinstance(target, Range):
        return {
            "start": target.start, "end": target.end,
            "start included": target.start_incl, "end included": target.end_incl,
        }.get(name)
    env.warn(f"no property {name!r} on {type(target).__name__}")
    return None
