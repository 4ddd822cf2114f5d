"""Context, sort and miscellaneous built-ins."""

from functools import cmp_to_key

from ..env import invoke
from ..values import FeelFunction, feel_compare
from .registry import builtin


@builtin("get value", ["m", "key"])
def get_value(m, key):
    if not isinstance(m, dict) or not isinstance(key, str):
        return None
    return m.get(key)


@builtin("get entries", ["m"])
def get_entries(m):
    if not isinstance(m, dict):
        return None
    return [{"key": k, "value": v} for k, v in m.items()]


@builtin("context", ["entries"])
def context(entries):
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return None
    out: dict = {}
    for e in entries:
        if not isinstance(e, dict) or "key" not in e or "value" not in e or not isinstance(e["key"], str):
            return None
        if e["key"] in out:
            return None
        out[e["key"]] = e["value"]
    return out


def _put(ctx, keys, value):
    if not keys:
        return None
    out = dict(ctx)
    if len(keys) == 1:
        out[keys[0]] = value
        return out
    inner = out.get(keys[0])
    if not isinstance(inner, dict):
        return None
    out[keys[0]] = _put(inner, keys[1:], value)
    return None if out[keys[0]] is None else out


@builtin("context put", ["context", "key", "value"], ["context", "keys", "value"])
def context_put(ctx, key, value):
    if not isinstance(ctx, dict):
        return None
    keys = key if isinstance(key, list) else [key]
    if not keys or not all(isinstance(k, str) for k in keys):
        return None
    return _put(ctx, keys, value)


@builtin("context merge", ["contexts"], varargs=True)
def context_merge(contexts):
    if len(contexts) == 1 and isinstance(contexts[0], list):
        contexts = contexts[0]
    out: dict = {}
    for c in contexts:
        if not isinstance(c, dict):
            return None
        out.update(c)
    return out


@builtin("sort", ["list", "precedes?"], env=True)
def sort(items, precedes=None, env=None):
    if not isinstance(items, list):
        return None
    if precedes is None:
        if any(feel_compare(items[0], x) is None for x in items):
            return None
        return sorted(items, key=cmp_to_key(feel_compare))
    if not isinstance(precedes, FeelFunction):
        return None

    def cmp(a, b):
        if invoke(precedes, [a, b], env) is True:
            return -1
        if invoke(precedes, [b, a], env) is True:
            return 1
        return 0
    return sorted(items, key=cmp_to_key(cmp))


@builtin("get or else", ["value", "default"])
def get_or_else(value, default):
    return default if value is None else value
