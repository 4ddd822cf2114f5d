"""Compile FEEL iteration: for loops, some/every quantifiers and filters."""

from decimal import Decimal

from .limits import check_range, step
from .values import Range, is_number


def _compile(node):
    from .interpreter import compile_node  # the interpreter imports this module: resolve at compile time
    return compile_node(node)


def iterate(domain, env):
    """Yield the items of a for/quantifier domain (list or numeric range)."""
    if isinstance(domain, tuple):
        lo, hi = domain
        if not (is_number(lo) and is_number(hi)):
            env.warn("for range bounds must be numbers")
            return []
        direction = 1 if hi >= lo else -1
        check_range(abs(int(hi) - int(lo)) + 1)
        return [Decimal(i) for i in range(int(lo), int(hi) + direction, direction)]
    if isinstance(domain, Range) and is_number(domain.start) and is_number(domain.end):
        lo = int(domain.start) + (0 if domain.start_incl else 1)
        hi = int(domain.end) - (0 if domain.end_incl else 1)
        check_range(hi - lo + 1)
        return [Decimal(i) for i in range(lo, hi + 1)]
    return domain if isinstance(domain, list) else [domain]


def _domain_fn(expr):
    if expr[0] == "range_iter":
        fa, fb = _compile(expr[1]), _compile(expr[2])
        return lambda env: (fa(env), fb(env))
    return _compile(expr)


def compile_for(node):
    iters = [(name, _domain_fn(e)) for name, e in node[1]]
    body = _compile(node[2])

    def run(env):
        results = []
        scope = env.child({"partial": results})

        def loop(i, scope):
            if i == len(iters):
                results.append(body(scope))
                return
            name, dom = iters[i]
            for item in iterate(dom(scope), env):
                step()
                loop(i + 1, scope.child({name: item}))
        loop(0, scope)
        return results
    return run


def compile_quant(node):
    _, kind, iters, cond = node
    iters = [(name, _compile(e)) for name, e in iters]
    body = _compile(cond)

    def run(env):
        outcomes = []

        def loop(i, scope):
            if i == len(iters):
                outcomes.append(body(scope))
                return
            name, dom = iters[i]
            for item in iterate(dom(scope), env):
                step()
                loop(i + 1, scope.child({name: item}))
        loop(0, env)
        if kind == "some":
            return True if any(o is True for o in outcomes) else (False if all(o is False for o in outcomes) else None)
        return False if any(o is False for o in outcomes) else (True if all(o is True for o in outcomes) else None)
    return run



def compile_filter(node):
    ftarget, fcond = _compile(node[1]), _compile(node[2])

    def run(env):
        target = ftarget(env)
        if target is None:
            return None
        items = target if isinstance(target, list) else [target]
        out = []
        for idx, item in enumerate(items):
            step()
            bound = dict(item) if isinstance(item, dict) else {}
            bound["item"] = item
            r = fcond(env.child(bound))
            if idx == 0 and is_number(r):
                return _index(items, r, env)
            if r is True:
                out.append(item)
        return out
    return run


def _index(items, n, env):
    """Pick a list element by FEEL's 1-based (negative from the end) index."""
    i = int(n)
    if i == 0 or abs(i) > len(items):
        return None
    return items[i - 1] if i > 0 else items[i]
