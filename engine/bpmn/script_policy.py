"""Decide statically whether a script or expression may run in kimflow's sandbox."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard

MAX_SEQUENCE = 1_000_000  # characters or items one operator may produce
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_RANGE = 1_000_000  # elements of one range()

# Exception classes scripts may raise and catch; all derive from Exception, so the sandbox's own
# stop signal (a BaseException) can never be caught by a script.
CATCHABLE_EXCEPTIONS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (Exception, ValueError, TypeError, KeyError, IndexError, LookupError,
                ZeroDivisionError, ArithmeticError)
}

FORBIDDEN_CALLS = frozenset({
    "eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "input", "breakpoint", "help", "memoryview", "type", "dir", "super", "object", "exit", "quit",
    "print", "classmethod", "staticmethod", "property",
})

# Public names that still lead to interpreter internals or to attribute lookup by string.
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map", "mro", "with_traceback"})
FORBIDDEN_ATTRIBUTE_PREFIXES = ("_", "gi_", "cr_", "ag_", "co_", "f_", "tb_", "func_", "im_")

_WIDE_PERCENT_FORMAT = re.compile(r"%[^a-zA-Z%]*(\*|\d{7,})")
_WIDE_FORMAT_SPEC = re.compile(r"\d{7,}")

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod,
}
GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%",
}

_SEQUENCES = (str, bytes, list, tuple)


class SandboxViolation(Exception):
    """A script or expression uses something the sandbox does not allow."""

    def __init__(self, problems: list[str], lineno: int | None = None):
        self.problems = problems
        self.lineno = lineno
        super().__init__("; ".join(problems))


def _int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _repeat_size(left: object, right: object) -> int | None:
    if isinstance(left, _SEQUENCES) and isinstance(right, int):
        return len(left) * right
    if isinstance(right, _SEQUENCES) and isinstance(left, int):
        return len(right) * left
    return None


def oversize(symbol: str, left: object, right: object) -> str | None:
    """Return why `left <symbol> right` would build an oversized value, or None when it is fine."""
    too_big = "Ergebnis zu groß (result too large)"
    if symbol == "**" and _int(left) and _int(right) and right > 0 and abs(left) > 1:
        return too_big if left.bit_length() * right > MAX_INT_BITS else None
    if symbol == "<<" and _int(left) and _int(right):
        return too_big if left.bit_length() + right > MAX_INT_BITS else None
    if symbol == "*":
        size = _repeat_size(left, right)
        if size is not None:
            return too_big if size > MAX_SEQUENCE else None
        if _int(left) and _int(right):
            return too_big if left.bit_length() + right.bit_length() > MAX_INT_BITS else None
    if symbol == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        return too_big if len(left) + len(right) > MAX_SEQUENCE else None
    if symbol == "%" and isinstance(left, str) and _WIDE_PERCENT_FORMAT.search(left):
        return "Feldbreite mit '*' oder über 6 Stellen ist nicht erlaubt (format width not allowed)"
    return None


def apply_operator(symbol: str, left: Any, right: Any) -> Any:
    """Apply a guarded binary operator, refusing results that would exhaust memory."""
    problem = oversize(symbol, left, right)
    if problem:
        raise MemoryError(problem)
    return _OPERATORS[symbol](left, right)


# The grammar scripts may use: anything not listed (pattern matching, with, global, yield, walrus,
# annotations, class definitions, imports, async, ...) is refused, so a new statement kind can never
# slip past the checks below.
ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset({
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.While, ast.Break,
    ast.Continue, ast.Pass, ast.FunctionDef, ast.Return, ast.Try, ast.ExceptHandler, ast.Raise, ast.Delete,
    ast.Assert, ast.arguments, ast.arg, ast.keyword, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Lambda,
    ast.IfExp, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.comprehension, ast.Compare, ast.Call, ast.FormattedValue, ast.JoinedStr, ast.Constant,
    ast.Attribute, ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice,
    ast.Load, ast.Store, ast.Del, ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Pow,
    ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.Invert, ast.Not,
    ast.UAdd, ast.USub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In,
    ast.NotIn,
})

# Attributes scripts may read: the public data attributes and methods of the values they handle
# (text, numbers, lists, dicts, sets, dates). Anything else, including every name of an engine or
# library object a function might return, is refused. Padding methods are left out: they allocate
# as much as their argument asks for.
_SIZE_UNBOUNDED_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_VALUE_TYPES = (str, int, float, bool, list, tuple, dict, set, frozenset, date, datetime, timedelta)
ALLOWED_ATTRIBUTES: frozenset[str] = frozenset(
    name for value_type in _VALUE_TYPES for name in dir(value_type)
    if not name.startswith("_")
) - FORBIDDEN_ATTRIBUTES - _SIZE_UNBOUNDED_METHODS
# Names that are only safe as builtins the sandbox supplies; every identifier must also look plain.
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")


class _Unknown(Exception):
    """A subexpression whose value is not known before run time."""


class _PolicyVisitor(ast.NodeVisitor):
    """Collect one message per violation, each prefixed with its line."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []

        self._line = 0

    def report(self, node: ast.AST, message: str) -> None:
        self.problems.append((getattr(node, "lineno", self._line), message))

    def visit(self, node: ast.AST) -> Any:
        self._line = getattr(node, "lineno", self._line)
        if type(node) not in ALLOWED_NODES:
            specific = getattr(self, "visit_" + type(node).__name__, None)
            if specific is not None:
                return specific(node)
            self.report(node, f"Sprachelement '{type(node).__name__}' ist nicht erlaubt "
                              "(syntax not allowed)")
            return None
        return super().visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.decorator_list or node.returns:
            self.report(node, "Dekoratoren und Annotationen sind nicht erlaubt "
                              "(decorators and annotations are not allowed)")
        self._check_identifier(node, node.name)
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        if node.annotation is not None:
            self.report(node, "Annotationen sind nicht erlaubt (annotations are not allowed)")
        self._check_identifier(node, node.arg)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg is not None:
            self._check_identifier(node, node.arg)
        self.generic_visit(node)

    def _check_identifier(self, node: ast.AST, name: str) -> None:
        # ASCII only: NFKC folds homoglyphs such as U+FF3F into '_' after our check would have run.
        if not _PLAIN_NAME.match(name):
            self.report(node, f"Name '{name}' ist nicht erlaubt (only plain ASCII names are allowed)")

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.report(node, "Importe sind nicht erlaubt (imports are not allowed)")

    visit_ImportFrom = visit_Import

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("__"):
            self.report(node, f"Name '{node.id}' ist nicht erlaubt (dunder names are not allowed)")
        else:
            self._check_identifier(node, node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr not in ALLOWED_ATTRIBUTES:
            self.report(node, f"Attribut '.{node.attr}' ist nicht erlaubt (attribute not allowed)")
        if not isinstance(node.ctx, ast.Load):
            self.report(node, "Attribute dürfen nicht gesetzt oder gelöscht werden "
                              "(attribute assignment is not allowed)")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self.report(node, f"Aufruf von '{node.func.id}' ist nicht erlaubt (call not allowed)")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.report(node, "Klassen sind nicht erlaubt (class definitions are not allowed)")

    def visit_AsyncFunctionDef(self, node: ast.AST) -> None:
        self.report(node, "async/await ist nicht erlaubt (async code is not allowed)")

    visit_Await = visit_AsyncFor = visit_AsyncWith = visit_AsyncFunctionDef

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        if not all(isinstance(n, ast.Name) and n.id in CATCHABLE_EXCEPTIONS for n in names):
            allowed = ", ".join(CATCHABLE_EXCEPTIONS)
            self.report(node, f"except braucht einen dieser Fehlertypen: {allowed} "
                              "(catch only the listed exception types)")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Subscript) and isinstance(node.target.slice, ast.Slice):
            self.report(node, "Erweiterte Zuweisung an einen Ausschnitt ist nicht erlaubt "
                              "(augmented assignment to a slice is not allowed)")
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        parts = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
        constants = [str(part.value) for part in parts if isinstance(part, ast.Constant)]
        if len(constants) < len(parts):
            self.report(node, "Berechnete Formatangaben sind nicht erlaubt (dynamic format specs)")
        elif any(_WIDE_FORMAT_SPEC.search(text) for text in constants):
            self.report(node, "Feldbreite über 6 Stellen ist nicht erlaubt (format width not allowed)")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        try:
            _fold(node)
        except MemoryError as refused:
            self.report(node, str(refused))
            return
        except _Unknown:
            pass
        self.generic_visit(node)


def _fold(node: ast.expr) -> Any:
    """Compute a literal subexpression, refusing oversized results like the runtime guard does."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bytes):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _fold(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in GUARDED_OPERATORS:
        left, right = _fold(node.left), _fold(node.right)
        try:
            return apply_operator(GUARDED_OPERATORS[type(node.op)], left, right)
        except MemoryError:
            raise
        except Exception as exc:  # e.g. 'a' ** 2: a run-time error, not a policy question
            raise _Unknown from exc
    raise _Unknown


def check_tree(tree: ast.AST) -> list[tuple[int, str]]:
    """Return (line, message) for every policy violation in a parsed script."""
    visitor = _PolicyVisitor()
    visitor.visit(tree)
    return sorted(visitor.problems)


def check_script(source: str, *, expression: bool = False) -> list[str]:
    """Return one 'Zeile N: ...' message per violation; an empty list means the script may run."""
    try:
        tree = ast.parse(source, mode="eval" if expression else "exec")
    except SyntaxError as err:
        return [f"Zeile {err.lineno or 0}: Syntaxfehler: {err.msg} (syntax error)"]
    return [f"Zeile {line}: {message}" for line, message in check_tree(tree)]
