"""Range built-ins (Allen's interval relations) and range(from)."""

from ..values import Range, feel_compare
from .registry import builtin


class _Incomparable(Exception):
    """Raised when endpoints cannot be compared."""


def _c(a, b) -> int:
    r = feel_compare(a, b)
    if r is None:
        raise _Incomparable
    return r


def _r(v) -> Range:
    return v if isinstance(v, Range) else Range(v, v, True, True)


def _relation(func):
    """Turn a range-range predicate into a built-in taking points or ranges; null on bad input."""

    def wrapped(a, b):
        if a is None or b is None:
            return None
        try:
            return func(_r(a), _r(b))
        except _Incomparable:
            return None
    return wrapped


def _before(a, b):
    c = _c(a.end, b.start)
    return c < 0 or (c == 0 and not (a.end_incl and b.start_incl))


def _meets(a, b):
    return a.end_incl and b.start_incl and _c(a.end, b.start) == 0


def _overlaps(a, b):
    c1, c2 = _c(a.end, b.start), _c(a.start, b.end)
    return (c1 > 0 or (c1 == 0 and a.end_incl and b.start_incl)) and (
        c2 < 0 or (c2 == 0 and a.start_incl and b.end_incl))


def _overlaps_before(a, b):
    c1, c2, c3 = _c(a.start, b.start), _c(a.end, b.start), _c(a.end, b.end)
    return (
        (c1 < 0 or (c1 == 0 and a.start_incl and not b.start_incl))
        and (c2 > 0 or (c2 == 0 and a.end_incl and b.start_incl))
        and (c3 < 0 or (c3 == 0 and (not a.end_incl or b.end_incl)))
    )


def _finishes(a, b):
    c = _c(a.start, b.start)
    return a.end_incl == b.end_incl and _c(a.end, b.end) == 0 and (
        c > 0 or (c == 0 and (not a.start_incl or b.start_incl)))


def _includes(a, b):
    c1, c2 = _c(a.start, b.start), _c(a.end, b.end)
    return (c1 < 0 or (c1 == 0 and (a.start_incl or not b.start_incl))) and (
        c2 > 0 or (c2 == 0 and (a.end_incl or not b.end_incl)))


def _starts(a, b):
    c = _c(a.end, b.end)
    return _c(a.start, b.start) == 0 and a.start_incl == b.start_incl and (
        c < 0 or (c == 0 and (not a.end_incl or b.end_incl)))


def _coincides(a, b):
    return _c(a.start, b.start) == 0 and _c(a.end, b.end) == 0 and (
        a.start_incl == b.start_incl and a.end_incl == b.end_incl)


_SIGS = {
    "before": (["point1", "point2"], ["point", "range"], ["range", "point"], ["range1", "range2"]),
    "after": (["point1", "point2"], ["point", "range"], ["range", "point"], ["range1", "range2"]),
    "meets": (["range1", "range2"],),
    "met by": (["range1", "range2"],),
    "overlaps": (["range1", "range2"],),
    "overlaps before": (["range1", "range2"],),
    "overlaps after": (["range1", "range2"],),
    "finishes": (["point", "range"], ["range1", "range2"]),
    "finished by": (["range", "point"], ["range1", "range2"]),
    "includes": (["range", "point"], ["range1", "range2"]),
    "during": (["point", "range"], ["range1", "range2"]),
    "starts": (["point", "range"], ["range1", "range2"]),
    "started by": (["range", "point"], ["range1", "range2"]),
    "coincides": (["point1", "point2"], ["range1", "range2"]),
}
_IMPLS = {
    "before": _before, "after": lambda a, b: _before(b, a), "meets": _meets, "met by": lambda a, b: _meets(b, a),
    "overlaps": _overlaps, "overlaps before": _overlaps_before, "overlaps after": lambda a, b: _overlaps_before(b, a),
    "finishes": _finishes, "finished by": lambda a, b: _finishes(b, a), "includes": _includes,
    "during": lambda a, b: _includes(b, a), "starts": _starts, "started by": lambda a, b: _starts(b, a),
    "coincides": _coincides,
}
for _name, _sigs in _SIGS.items():
    builtin(_name, *_sigs)(_relation(_IMPLS[_name]))


@builtin("range", ["from"])
def range_(text):
    """Parse a range literal string such as '[1..10)'."""
    from ..env import Env
    from ..interpreter import compile_node
    from ..parser import parse
    if not isinstance(text, str):
        return None
    try:
        ast = parse(text)
    except Exception:  # any syntax error means null
        return None
    if ast[0] != "interval":
        return _unary_range(text)
    if not all(_literal_endpoint(e) for e in ast[2:4]):
        return None
    from ..feel import ROOT
    value = compile_node(ast)(Env({}, ROOT, []))
    if not isinstance(value, Range):
        return None
    if value.start is not None and value.end is not None and feel_compare(value.start, value.end) == 1:
        return None
    return value


def _literal_endpoint(node) -> bool:
    """Tell whether a range string endpoint is a literal (or a temporal constructor of a string literal)."""
    if node[0] in ("lit", "at"):
        return True
    if node[0] == "call" and node[1][0] == "var" and node[2][0] == "pos":
        return all(a[0] == "lit" and isinstance(a[1], str) for a in node[2][1])
    return False


def _unary_range(text):
    """Read '< 5', '>= x' style ranges and '=' points."""
    from ..env import Env
    from ..feel import ROOT
    from ..interpreter import compile_node
    from ..parser import parse
    ast = parse(text, "unary")
    if ast[0] != "ut_list" or len(ast[1]) != 1 or ast[1][0][0] != "ut_cmp":
        return None
    _, op, node = ast[1][0]
    if not _literal_endpoint(node):
        return None
    v = compile_node(node)(Env({}, ROOT, []))
    return {
        "<": Range(None, v, False, False), "<=": Range(None, v, False, True),
        ">": Range(v, None, False, False), ">=": Range(v, None, True, False), "=": Range(v, v, True, True),
    }.get(op)
