"""Evaluation scopes and function invocation."""

from .values import FeelFunction

_MISSING = object()


class Env:
    """A scope of variables chained to its parent; all scopes share one warnings list."""

    __slots__ = ("vars", "parent", "warnings")

    def __init__(self, variables=None, parent=None, warnings=None):
        self.vars = variables if variables is not None else {}
        self.parent = parent
        self.warnings = warnings if warnings is not None else (parent.warnings if parent else [])

    def child(self, variables=None):
        """Open a nested scope."""
        return Env(variables, self, self.warnings)

    def lookup(self, name, default=_MISSING):
        """Find a name in this scope or its parents."""
        env = self
        while env is not None:
            v = env.vars.get(name, _MISSING)
            if v is not _MISSING:
                return v
            env = env.parent
        return default

    def has(self, name) -> bool:
        """Tell whether a name is bound anywhere in scope."""
        return self.lookup(name) is not _MISSING

    def warn(self, message: str):
        """Record a warning and yield null."""
        self.warnings.append(message)


MISSING = _MISSING


def _bind_named(fn: FeelFunction, named: dict, env):
    """Map named arguments onto parameter positions; None when a name is unknown."""
    signatures = fn.params if fn.params and isinstance(fn.params[0], list) else [fn.params]
    for sig in signatures:
        names = [p.rstrip("?") for p in sig]
        if set(named) <= set(names):
            args = [named.get(n) for n in names]
            while args and sig[len(args) - 1].endswith("?") and names[len(args) - 1] not in named:
                args.pop()
            return args
    env.warn(f"function {fn.name}: no parameters named {sorted(named)}")
    return None


def invoke(fn, args, env, named=None):
    """Call a FEEL function with positional args (or named ones); errors become null."""
    if not isinstance(fn, FeelFunction):
        env.warn(f"cannot invoke non-function {fn!r}")
        return None
    if named is not None:
        args = _bind_named(fn, named, env)
        if args is None:
            return None
    try:
        return fn.impl(args, env)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        env.warn(f"function {fn.name} failed: {exc}")
        return None
