"""String built-ins."""

import re

from ..values import is_number
from .registry import builtin


def _strs(*vals):
    return all(isinstance(v, str) for v in vals)


def _codepoints(s: str) -> list:
    return list(s)


@builtin("substring", ["string", "start position", "length?"])
def substring(s, start, length=None):
    if not _strs(s) or not is_number(start) or start == 0:
        return None
    if length is not None and (not is_number(length) or length < 0):
        return None
    chars = _codepoints(s)
    i = int(start)
    begin = i - 1 if i > 0 else len(chars) + i
    begin = max(begin, 0)
    end = len(chars) if length is None else begin + int(length)
    return "".join(chars[begin:end])


@builtin("string length", ["string"])
def string_length(s):
    from decimal import Decimal
    return Decimal(len(s)) if _strs(s) else None


@builtin("upper case", ["string"])
def upper_case(s):
    return s.upper() if _strs(s) else None


@builtin("lower case", ["string"])
def lower_case(s):
    return s.lower() if _strs(s) else None


@builtin("substring before", ["string", "match"])
def substring_before(s, m):
    if not _strs(s, m):
        return None
    i = s.find(m)
    return "" if i < 0 else s[:i]


@builtin("substring after", ["string", "match"])
def substring_after(s, m):
    if not _strs(s, m):
        return None
    i = s.find(m)
    return "" if i < 0 else s[i + len(m):]


def _flags(flags) -> int:
    """Translate XPath regex flags into Python's."""
    out = 0
    for f in flags or "":
        out |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X, "q": 0}.get(f, 0)
        if f not in "ismxq":
            raise ValueError(f"unknown regex flag {f}")
    return out


def _pattern(pattern: str, flags) -> re.Pattern:
    """Compile an XML Schema style pattern; 'q' quotes it literally."""
    if flags and "q" in flags:
        pattern = re.escape(pattern)
    # XPath character class subtraction and \p{..} are rare; translate the common \p{L}.
    pattern = pattern.replace(r"\p{L}", r"[^\W\d_]")
    return re.compile(pattern, _flags(flags))


@builtin("replace", ["input", "pattern", "replacement", "flags?"])
def replace(s, pattern, replacement, flags=None):
    if not _strs(s, pattern, replacement) or (flags is not None and not _strs(flags)):
        return None
    rx = _pattern(pattern, flags)
    if rx.match(""):
        return None
    repl = re.sub(r"\$(\d)", r"\\g<\1>", replacement.replace("\\", "\\\\").replace("\\\\$", "$"))
    return rx.sub(repl, s)


@builtin("matches", ["input", "pattern", "flags?"])
def matches(s, pattern, flags=None):
    if not _strs(s, pattern) or (flags is not None and not _strs(flags)):
        return None
    return _pattern(pattern, flags).search(s) is not None


@builtin("contains", ["string", "match"])
def contains(s, m):
    return m in s if _strs(s, m) else None


@builtin("starts with", ["string", "match"])
def starts_with(s, m):
    return s.startswith(m) if _strs(s, m) else None


@builtin("ends with", ["string", "match"])
def ends_with(s, m):
    return s.endswith(m) if _strs(s, m) else None


@builtin("split", ["string", "delimiter"])
def split(s, delim):
    if not _strs(s, delim):
        return None
    return re.split(delim, s)


@builtin("string join", ["list", "delimiter?"])
def string_join(items, delim=None):
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or (delim is not None and not _strs(delim)):
        return None
    if not all(x is None or isinstance(x, str) for x in items):
        return None
    return (delim or "").join(x for x in items if x is not None)
