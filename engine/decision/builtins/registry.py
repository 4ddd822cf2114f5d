"""The table of built-in FEEL functions and the decorator that fills it."""

from ..values import FeelFunction

BUILTINS: dict = {}
# Parameters that take one value: a singleton list passed there is unwrapped (DMN's "from singleton list").
_SCALAR = {"string", "input", "pattern", "replacement", "flags", "n", "scale", "dividend", "divisor", "number",
           "start position", "length", "delimiter", "date"}


def builtin(name: str, *signatures, varargs: bool = False, env: bool = False):
    """Register a Python function as a FEEL built-in with named parameter signatures."""

    def wrap(func):
        sigs = [list(s) for s in signatures] or [[]]

        def impl(args, call_env):
            if varargs:
                if not args:
                    call_env.warn(f"{name}: no arguments")
                    return None
                args = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
                args = [args]
            else:
                longest = max(len(s) for s in sigs)
                shortest = min(len([p for p in s if not p.endswith("?")]) for s in sigs)
                if not shortest <= len(args) <= longest:
                    call_env.warn(f"{name}: wrong number of arguments ({len(args)})")
                    return None
                sig = next((s for s in sigs if len(s) >= len(args)), sigs[0])
                args = [a[0] if isinstance(a, list) and len(a) == 1 and p.rstrip("?") in _SCALAR else a
                        for a, p in zip(args, sig, strict=False)]
            return func(*args, env=call_env) if env else func(*args)

        BUILTINS[name] = FeelFunction(sigs, impl, name, varargs)
        return func

    return wrap
