"""Compile DMN boxed expressions (literal, table, context, invocation, ...) into fn(env)."""

from .dmn_table import CompiledTable
from .env import invoke
from .feel import compile as feel_compile
from .iteration import iterate as _iterate
from .values import FeelFunction


class BoxedCompiler:
    """Compile boxed expressions for one model: its known names and its type registry."""

    def __init__(self, names: tuple, types):
        self.names = names
        self.types = types

    def compile(self, expr, result_name: str = "", type_ref: str | None = None):
        """Return fn(env) -> value for a boxed expression tuple."""
        if expr is None:
            return lambda env: env.warn(f"{result_name}: no expression") or None
        fn = getattr(self, "_" + expr[0])(expr, result_name)
        return self._typed(fn, expr[-1], result_name) if expr[0] not in ("dt", "function") else fn

    def _typed(self, fn, type_ref, where):
        if not type_ref or self.types is None:
            return fn
        coerce = self.types.coerce
        return lambda env: coerce(fn(env), type_ref, env, where)

    def _literal(self, expr, name):
        compiled = feel_compile(expr[1], "expression", self.names)
        return compiled.run

    def _dt(self, expr, name):
        table = CompiledTable(expr[1], self.names, self.types, name, expr[2])

        def run(env):
            value, ids = table.evaluate(env)
            matched = env.lookup("__matched__", None)
            if isinstance(matched, list):
                matched.extend(ids)
            return value
        return run

    def _context(self, expr, name):
        entries = [(n, self._typed(self.compile(e, n or name), t, n) if t else self.compile(e, n or name))
                   for n, t, e in expr[1]]

        def run(env):
            result: dict = {}
            scope = env.child(result)
            for entry_name, fn in entries:
                value = fn(scope)
                if entry_name is None:
                    return value
                result[entry_name] = value
            return result
        return run

    def _invocation(self, expr, name):
        target = self.compile(expr[1], name)
        bindings = [(p, self.compile(e, p) if e is not None else (lambda env: None)) for p, e in expr[2]]

        def run(env):
            fn = target(env)
            if not isinstance(fn, FeelFunction):
                env.warn(f"{name}: invoked value is not a function")
                return None
            return invoke(fn, None, env, {p: f(env) for p, f in bindings})
        return run

    def _function(self, expr, name):
        params, body, kind = expr[1], expr[2], expr[3]
        if kind != "FEEL":
            return lambda env: env.warn(f"{name}: {kind} functions are not supported") or None
        body_fn = self.compile(body, name)
        names = [p for p, _ in params]
        ptypes = [t for _, t in params]
        types = self.types

        def run(env):
            def impl(args, call_env):
                values = list(args) + [None] * (len(names) - len(args))
                if types is not None:
                    coerced = [types.coerce(v, t, call_env, f"parameter {p}") if t else v
                               for v, t, p in zip(values, ptypes, names, strict=False)]
                    if any(c is None and v is not None for c, v in zip(coerced, values, strict=False)):
                        return None
                    values = coerced
                return body_fn(env.child(dict(zip(names, values, strict=False))))
            return FeelFunction(names, impl, name)
        return run

    def _relation(self, expr, name):
        cols = expr[1]
        rows = [[self.compile(cell, c) for c, cell in zip(cols, row, strict=False)] for row in expr[2]]
        return lambda env: [{c: f(env) for c, f in zip(cols, row, strict=False)} for row in rows]

    def _list(self, expr, name):
        items = [self.compile(e, name) for e in expr[1]]
        return lambda env: [f(env) for f in items]

    def _conditional(self, expr, name):
        cond, then, other = (self.compile(e, name) for e in expr[1:4])
        def run(env):
            c = cond(env)
            if c is not None and not isinstance(c, bool):
                env.warn(f"{name}: condition is not a boolean")
                return None
            return then(env) if c is True else other(env)
        return run

    def _iterate(self, expr, name):
        _, kind, var, domain, body = expr[:5]
        fdom, fbody = self.compile(domain, name), self.compile(body, name)

        def run(env):
            results = [fbody(env.child({var: item})) for item in _iterate(fdom(env), env)]
            if kind == "for":
                return results
            if any(not isinstance(r, bool) for r in results):
                env.warn(f"{name}: {kind} condition is not a boolean")
                return None
            if kind == "some":
                return any(r is True for r in results)
            return all(r is True for r in results)
        return run

    def _filter(self, expr, name):
        fdom, fmatch = self.compile(expr[1], name), self.compile(expr[2], name)

        def run(env):
            items = fdom(env)
            if items is None:
                return None
            out = []
            for item in items if isinstance(items, list) else [items]:
                bound = dict(item) if isinstance(item, dict) else {}
                bound["item"] = item
                if fmatch(env.child(bound)) is True:
                    out.append(item)
            return out
        return run

    def _unsupported(self, expr, name):
        return lambda env: env.warn(f"{name}: unsupported expression kind {expr[1]}") or None
