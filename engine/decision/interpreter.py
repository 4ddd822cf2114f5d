"""Compile the FEEL AST into Python closures taking an Env."""

from decimal import Decimal

from . import operators as ops
from .env import MISSING, invoke
from .iteration import compile_filter, compile_for, compile_quant
from .properties import get_property
from .semantics import _CMP, compare, matches_value, uses_qmark
from .temporal import parse_temporal
from .types import BUILTIN_TYPES, conforms
from .values import FeelFunction, Range, feel_compare


def compile_node(node):
    """Turn an AST node into fn(env) -> value."""
    return _COMPILERS[node[0]](node)


def _lit(node):
    value = node[1]
    return lambda env: value


def _at(node):
    value = parse_temporal(node[1])

    def run(env):
        if value is None:
            env.warn(f"invalid temporal literal @{node[1]!r}")
        return value
    return run


def _var(node):
    name = node[1]

    def run(env):
        v = env.lookup(name)
        if v is MISSING and "." in name:
            v = _dotted(env, name)
        if v is MISSING:
            env.warn(f"unknown variable {name!r}")
            return None
        return v
    return run


def _dotted(env, name):
    """Resolve 'a.b.c' read as one known name by walking the path from the longest bound prefix."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        head = env.lookup(".".join(parts[:cut]).strip())
        if head is not MISSING:
            for p in parts[cut:]:
                head = get_property(head, p.strip(), env)
            return head
    return MISSING


def _list(node):
    items = [compile_node(n) for n in node[1]]
    return lambda env: [f(env) for f in items]


def _context(node):
    entries = [(k, compile_node(v)) for k, v in node[1]]

    def run(env):
        result = {}
        scope = env.child(result)  # later entries see earlier ones
        for k, f in entries:
            if k in result:
                env.warn(f"duplicate context key {k!r}")
                return None
            result[k] = f(scope)
        return result
    return run


def _interval(node):
    _, start_incl, s, e, end_incl = node
    fs, fe = compile_node(s), compile_node(e)

    def run(env):
        a, b = fs(env), fe(env)
        if a is not None and b is not None and feel_compare(a, b) is None:
            env.warn("range endpoints of different types")
            return None
        return Range(a, b, start_incl, end_incl)
    return run


def _cmp_range(node):
    op, f = node[1], compile_node(node[2])

    def run(env):
        v = f(env)
        if op == "!=":
            env.warn("a '!=' test is not a range")
            return None
        return {
            "<": Range(None, v, False, False), "<=": Range(None, v, False, True), "=": Range(v, v, True, True),
            ">": Range(v, None, False, False), ">=": Range(v, None, True, False),
        }[op]
    return run


def _arith(node):
    _, op, a, b = node
    fa, fb, f = compile_node(a), compile_node(b), ops.ARITH[op]

    def run(env):
        x, y = fa(env), fb(env)
        r = f(x, y)
        if r is None and x is not None and y is not None:
            env.warn(f"cannot apply {op} to {type(x).__name__} and {type(y).__name__}")
        return r
    return run


def _neg(node):
    f = compile_node(node[1])

    def run(env):
        v = f(env)
        r = ops.negate(v)
        if r is None and v is not None:
            env.warn(f"cannot negate {v!r}")
        return r
    return run


def _cmp(node):
    _, op, a, b = node
    fa, fb = compile_node(a), compile_node(b)
    return lambda env: compare(op, fa(env), fb(env))


def _between(node):
    fv, flo, fhi = (compile_node(n) for n in node[1:])

    def run(env):
        v = fv(env)
        return _and3(compare(">=", v, flo(env)), compare("<=", v, fhi(env)))
    return run


def _and3(a, b):
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def _or3(a, b):
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    return None


def _bool(v):
    return v if isinstance(v, bool) else None


def _and(node):
    fa, fb = compile_node(node[1]), compile_node(node[2])

    def run(env):
        a = _bool(fa(env))
        if a is False:
            return False
        return _and3(a, _bool(fb(env)))
    return run


def _or(node):
    fa, fb = compile_node(node[1]), compile_node(node[2])

    def run(env):
        a = _bool(fa(env))
        if a is True:
            return True
        return _or3(a, _bool(fb(env)))
    return run


def _if(node):
    fc, ft, fe = (compile_node(n) for n in node[1:])
    return lambda env: ft(env) if fc(env) is True else fe(env)


def compile_unary(node):  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Compile a unary-test AST into fn(value, env) -> True/False/None; env binds '?'."""
    tag = node[0]
    if tag == "ut_any":
        return lambda v, env: True
    if tag == "ut_not":
        inner = compile_unary(node[1])

        def neg(v, env):
            r = inner(v, env)
            return None if r is None else not r
        return neg
    if tag == "ut_list":
        tests = [compile_unary(t) for t in node[1]]
        if len(tests) == 1:
            return tests[0]
        return lambda v, env: any(t(v, env) is True for t in tests)
    if tag == "ut_cmp":
        op, f = node[1], compile_node(node[2])
        if node[2][0] == "lit":
            return _const_cmp(op, node[2][1])
        return lambda v, env: compare(op, v, f(env))
    if node[1][0] == "lit":
        const = node[1][1]
        return lambda v, env: matches_value(v, const)
    f = compile_node(node[1])
    if uses_qmark(node[1]):
        return lambda v, env: f(env)
    return lambda v, env: matches_value(v, f(env))


def _const_cmp(op, const):
    """Compare against a literal, with a fast path when both sides are numbers."""
    check = _CMP[op]
    if isinstance(const, Decimal) and op not in ("=", "!="):
        def run(v, env):
            if v.__class__ is Decimal:
                return check((v > const) - (v < const))
            return compare(op, v, const)
        return run
    return lambda v, env: compare(op, v, const)


def _in(node):
    fv = compile_node(node[1])
    tests = [compile_unary(t) for t in node[2]]

    def run(env):
        v = fv(env)
        scope = env.child({"?": v})
        results = [t(v, scope) for t in tests]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    return run


def _instance(node):
    fv, typ = compile_node(node[1]), node[2]
    if typ[1] in BUILTIN_TYPES or typ[2]:
        return lambda env: conforms(fv(env), typ)

    def run(env):
        value = fv(env)
        registry = env.lookup("__types__", None)
        if registry is None or value is None:
            return conforms(value, typ)
        return registry.is_instance(value, typ[1], env)
    return run


def _funcdef(node):
    _, params, body, external = node
    names = [p[0] for p in params]
    types = [p[1] for p in params]
    if external:
        return lambda env: env.warn("external functions are not supported")
    fbody = compile_node(body)

    def run(env):
        def impl(args, call_env):
            values = list(args) + [None] * (len(names) - len(args))
            if len(args) > len(names):
                call_env.warn("too many arguments")
                return None
            for v, t in zip(values, types, strict=False):
                if t is not None and v is not None and not conforms(v, t):
                    call_env.warn("argument does not conform to parameter type")
                    return None
            return fbody(env.child(dict(zip(names, values, strict=False))))
        return FeelFunction(names, impl, "lambda")
    return run


def _call(node):
    _, fnode, (kind, args) = node
    ffn = compile_node(fnode)
    if kind == "named":
        fargs = [(n, compile_node(a)) for n, a in args]
        return lambda env: invoke(ffn(env), None, env, {n: f(env) for n, f in fargs})
    fargs = [compile_node(a) for a in args]
    return lambda env: invoke(ffn(env), [f(env) for f in fargs], env)


def _path(node):
    ftarget, name = compile_node(node[1]), node[2]

    def run(env):
        target = ftarget(env)
        if isinstance(target, list):
            return [get_property(t, name, env) for t in target]
        return get_property(target, name, env)
    return run


_COMPILERS = {
    "lit": _lit, "at": _at, "var": _var, "list": _list, "context": _context, "interval": _interval,
    "arith": _arith, "neg": _neg, "cmp": _cmp, "between": _between, "and": _and, "or": _or, "if": _if,
    "in": _in, "instance": _instance, "for": compile_for, "quant": compile_quant, "funcdef": _funcdef, "call": _call,
    "filter": compile_filter, "path": _path, "cmp_range": _cmp_range,
}
