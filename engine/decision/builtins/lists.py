"""List and boolean built-ins."""

from decimal import Decimal

from ..values import feel_compare, feel_equal, is_number
from .registry import builtin


def _contains(items, v) -> bool:
    return any(feel_equal(x, v) is True for x in items)


@builtin("list contains", ["list", "element"])
def list_contains(items, v):
    return _contains(items, v) if isinstance(items, list) else None


@builtin("count", ["list"], varargs=True)
def count(items):
    return Decimal(len(items))


def _extreme(items, sign):
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        c = feel_compare(x, best)
        if c is None:
            return None
        if c * sign > 0:
            best = x
    return best if feel_compare(best, best) is not None else None


@builtin("min", ["list"], varargs=True)
def min_(items):
    return _extreme(items, -1)


@builtin("max", ["list"], varargs=True)
def max_(items):
    return _extreme(items, 1)


@builtin("all", ["list"], varargs=True)
def all_(items):
    if any(not isinstance(x, bool) and x is not None for x in items):
        return None
    if any(x is False for x in items):
        return False
    return True if all(x is True for x in items) else None


@builtin("and", ["list"], varargs=True)
def and_(items):
    return all_(items)


@builtin("any", ["list"], varargs=True)
def any_(items):
    if any(not isinstance(x, bool) and x is not None for x in items):
        return None
    if any(x is True for x in items):
        return True
    return False if all(x is False for x in items) else None


@builtin("or", ["list"], varargs=True)
def or_(items):
    return any_(items)


@builtin("not", ["negand"])
def not_(v):
    return (not v) if isinstance(v, bool) else None


@builtin("sublist", ["list", "start position", "length?"])
def sublist(items, start, length=None):
    if not isinstance(items, list) or not is_number(start) or start == 0 or abs(start) > len(items):
        return None
    begin = int(start) - 1 if start > 0 else len(items) + int(start)
    if length is None:
        return items[begin:]
    if not is_number(length) or begin + int(length) > len(items):
        return None
    return items[begin:begin + int(length)]


@builtin("append", ["list", "item"], varargs=True)
def append(args):
    if not args or not isinstance(args[0], list):
        return None
    return args[0] + list(args[1:])


@builtin("concatenate", ["list"], varargs=True)
def concatenate(lists):
    if not all(isinstance(x, list) for x in lists):
        return None
    return [x for lst in lists for x in lst]


@builtin("insert before", ["list", "position", "newItem"])
def insert_before(items, pos, new):
    if not isinstance(items, list) or not is_number(pos) or pos == 0 or abs(pos) > len(items):
        return None
    i = int(pos) - 1 if pos > 0 else len(items) + int(pos)
    return items[:i] + [new] + items[i:]


@builtin("remove", ["list", "position"])
def remove(items, pos):
    if not isinstance(items, list) or not is_number(pos) or pos == 0 or abs(pos) > len(items):
        return None
    i = int(pos) - 1 if pos > 0 else len(items) + int(pos)
    return items[:i] + items[i + 1:]


@builtin("reverse", ["list"])
def reverse(items):
    return items[::-1] if isinstance(items, list) else None


@builtin("index of", ["list", "match"])
def index_of(items, v):
    if not isinstance(items, list):
        return None
    return [Decimal(i + 1) for i, x in enumerate(items) if feel_equal(x, v) is True]


@builtin("union", ["list"], varargs=True)
def union(lists):
    out: list = []
    for lst in lists:
        for x in lst if isinstance(lst, list) else [lst]:
            if not _contains(out, x):
                out.append(x)
    return out


@builtin("distinct values", ["list"])
def distinct_values(items):
    if not isinstance(items, list):
        items = [items]
    return union([items])


def _flatten(items, out):
    for x in items:
        if isinstance(x, list):
            _flatten(x, out)
        else:
            out.append(x)
    return out


@builtin("flatten", ["list"])
def flatten(items):
    return _flatten(items, []) if isinstance(items, list) else None


@builtin("list replace", ["list", "position", "newItem"], env=True)
def list_replace(items, pos, new, env=None):
    from ..env import invoke
    from ..values import FeelFunction
    if not isinstance(items, list):
        return None
    if isinstance(pos, FeelFunction):
        return [new if invoke(pos, [x, new], env) is True else x for x in items]
    if not is_number(pos) or pos == 0 or abs(pos) > len(items):
        return None
    i = int(pos) - 1 if pos > 0 else len(items) + int(pos)
    return items[:i] + [new] + items[i + 1:]


@builtin("is", ["value1", "value2"])
def is_(a, b):
    from ..values import type_name
    if type_name(a) != type_name(b):
        return False
    import datetime as dt
    if isinstance(a, (dt.time, dt.datetime)) and a.tzinfo != b.tzinfo:
        return False
    return feel_equal(a, b) is True
