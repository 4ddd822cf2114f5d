"""Public FEEL entry points: compile once, evaluate many times."""

from decimal import Decimal
from functools import lru_cache

from .builtins import BUILTINS
from .env import Env
from .interpreter import compile_node, compile_unary
from .limits import FeelLimitExceeded, budget
from .parser import FeelSyntaxError, normalize_name, parse

ROOT = Env(BUILTINS)


class CompiledFeel:
    """A parsed and compiled FEEL expression or unary-test list."""

    __slots__ = ("text", "kind", "fn", "error")

    def __init__(self, text: str, kind: str, fn, error: str | None = None):
        self.text, self.kind, self.fn, self.error = text, kind, fn, error

    def run(self, env: Env, value=None):
        """Evaluate within an Env (for unary tests, against value); errors give null plus a warning."""
        if self.error:
            env.warn(self.error)
            return None
        try:
            with budget():
                if self.kind == "unary":
                    return self.fn(value, env)
                return self.fn(env)
        except FeelLimitExceeded as exc:
            env.warn(f"evaluation of {self.text[:60]!r} stopped: {exc}")
        except RecursionError:
            env.warn(f"recursion too deep in {self.text!r}")
        except Exception as exc:  # the caller must never see an exception
            env.warn(f"error evaluating {self.text!r}: {exc}")
        return None

    def evaluate(self, variables: dict | None = None, value=None, warnings: list | None = None):
        """Evaluate with a dict of variables (Python values are converted to FEEL values)."""
        env = Env({normalize_name(k): from_python(v) for k, v in (variables or {}).items()}, ROOT,
                  warnings if warnings is not None else [])
        if self.kind == "unary":
            env.vars["?"] = from_python(value)
        return self.run(env, from_python(value))


@lru_cache(maxsize=8192)
def compile(text: str, kind: str = "expression", names: tuple = ()) -> CompiledFeel:  # noqa: A001
    """Parse and compile FEEL text once; kind is 'expression' or 'unary'; names are known multi-word names."""
    try:
        ast = parse(text, kind, names)
        fn = compile_unary(ast) if kind == "unary" else compile_node(ast)
        return CompiledFeel(text, kind, fn)
    except FeelSyntaxError as exc:
        return CompiledFeel(text, kind, None, str(exc))
    except RecursionError:
        return CompiledFeel(text, kind, None, f"expression too deeply nested: {text[:40]!r}")


def evaluate(text: str, variables: dict | None = None, warnings: list | None = None):
    """Evaluate one FEEL expression with the given variables."""
    names = tuple(k for k in (variables or {}) if " " in k or not k.isidentifier())
    return compile(text, "expression", names).evaluate(variables, warnings=warnings)


def from_python(v):
    """Convert plain Python values (int, float, tuple, nested dicts) into FEEL values."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    if isinstance(v, (list, tuple)):
        return [from_python(x) for x in v]
    if isinstance(v, dict):
        return {k: from_python(x) for k, x in v.items()}
    return v
