"""FEEL comparison semantics shared by expressions and unary tests."""

from .values import Range, feel_compare, feel_equal

_CMP = {
    "=": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0,
    "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
}


def compare(op, a, b):
    """Evaluate a FEEL comparison with three-valued results."""
    if op == "=":
        return feel_equal(a, b)
    if op == "!=":
        r = feel_equal(a, b)
        return None if r is None else not r
    c = feel_compare(a, b)
    return None if c is None else _CMP[op](c)


def in_range(v, r: Range):
    """Tell whether v lies in a range (None when not comparable)."""
    if r.start is not None:
        c = feel_compare(v, r.start)
        if c is None or c < 0 or (c == 0 and not r.start_incl):
            return None if c is None else False
    if r.end is not None:
        c = feel_compare(v, r.end)
        if c is None or c > 0 or (c == 0 and not r.end_incl):
            return None if c is None else False
    return True


def matches_value(v, e):
    """Match an input against an evaluated positive unary test (list, range or value)."""
    if isinstance(e, Range):
        return in_range(v, e)
    if isinstance(e, list) and not isinstance(v, list):
        return any(matches_value(v, x) is True for x in e)
    if isinstance(e, list) and isinstance(v, list) and any(isinstance(x, list) for x in e):
        return any(feel_equal(v, x) is True for x in e)
    if isinstance(e, bool) and not isinstance(v, bool):
        return e
    return feel_equal(v, e)


def uses_qmark(node) -> bool:
    """Tell whether an AST references the implicit input '?'."""
    if isinstance(node, tuple):
        if node[:2] == ("var", "?"):
            return True
        return any(uses_qmark(x) for x in node)
    if isinstance(node, list):
        return any(uses_qmark(x) for x in node)
    return False
