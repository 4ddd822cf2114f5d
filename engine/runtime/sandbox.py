"""Run BPMN scripts and expressions without imports, dunders, I/O or unbounded time.

Expressions (gateway conditions, timers, task attributes, DMN cells) are evaluated here, in the app
process, because they must stay cheap. Script tasks run in a separate worker process without secrets
and under OS limits (`script_worker`); the policy is checked here before sending and there again.

How the time limit works: before compiling, the script's AST gets a checkpoint call at the start of
every loop body, function body, lambda and comprehension. A checkpoint raises a BaseException once the
deadline has passed; the policy only lets scripts catch Exception subclasses, so they cannot swallow
it. Unlike sys.settrace (which in 3.11 sees no line event in `while True: pass` and is unset as soon as
it raises) or signals (main thread only), this works in any worker thread and costs nothing for
loop-free expressions such as gateway conditions.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from types import CodeType
from typing import Any, cast

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import decision
from engine.bpmn.expressions import FEEL_PREFIX, feel_syntax_problem
from engine.bpmn.juel import EL_HELPERS, EL_MARKER, with_el_semantics
from engine.bpmn.script_policy import (
    CATCHABLE_EXCEPTIONS,
    FORBIDDEN_CALLS,
    GUARDED_OPERATORS,
    MAX_RANGE,
    SandboxViolation,
    apply_operator,
    check_script,
    check_tree,
    oversize,
)
from engine.runtime.script_worker import WorkerLimits, WorkerPool, shared_pool
from engine.runtime.script_worker_wire import ScriptFunctionError, ScriptTimeout

__all__ = ["SandboxViolation", "SandboxedScriptEngine", "ScriptFunctionError", "ScriptTimeout", "check_script"]

SCRIPT_FILENAME = "<kimflow-script>"
_TICK, _BINOP, _AUG, _AUG_ITEM = "__kf_tick", "__kf_binop", "__kf_aug", "__kf_aug_item"
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.iadd, "*": operator.imul, "**": operator.ipow, "<<": operator.ilshift, "%": operator.imod,
}


class _Deadline(BaseException):
    """Stop signal raised inside a script; BaseException so that `except Exception` cannot catch it."""


def _augmented(symbol: str, left: Any, right: Any) -> Any:
    problem = oversize(symbol, left, right)
    if problem:
        raise MemoryError(problem)
    return _INPLACE[symbol](left, right)


def _augmented_item(container: Any, key: Any, symbol: str, value: Any) -> None:
    container[key] = _augmented(symbol, container[key], value)


def _bounded_range(*args: int) -> range:
    """Build a range, refusing one longer than MAX_RANGE."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # longer than sys.maxsize
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise ValueError(f"range() mit mehr als {MAX_RANGE} Elementen (range too large)")
    return numbers


# C code such as datetime.strftime/strptime imports helper modules through the frame's builtins; the
# script itself cannot reach this name (dunders are refused), so only those helpers are allowed.
_C_LEVEL_IMPORTS = frozenset({"time", "_strptime"})


def _c_level_import(name: str, *args: Any, **kwargs: Any) -> Any:
    if name not in _C_LEVEL_IMPORTS:
        raise ImportError(f"Import von '{name}' ist nicht erlaubt (imports are not allowed)")
    return builtins.__import__(name, *args, **kwargs)


_ALLOWED_BUILTINS = ("len", "min", "max", "sum", "abs", "round", "sorted", "enumerate", "zip", "any",
                     "all", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "isinstance")
SAFE_BUILTINS: Mapping[str, Any] = {
    **{name: getattr(builtins, name) for name in _ALLOWED_BUILTINS},
    **CATCHABLE_EXCEPTIONS,
    "range": _bounded_range, "datetime": datetime, "date": date, "timedelta": timedelta,
    "__import__": _c_level_import, _BINOP: apply_operator, _AUG: _augmented, _AUG_ITEM: _augmented_item,
    **EL_HELPERS,
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _tick_statement() -> ast.Expr:
    return ast.Expr(_call(_TICK))


class _Guard(ast.NodeTransformer):
    """Insert deadline checkpoints and route size-changing operators through the memory guard."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        symbol = GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        return ast.copy_location(_call(_BINOP, ast.Constant(symbol), node.left, node.right), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        symbol = GUARDED_OPERATORS.get(type(node.op))
        target = node.target
        if symbol is None:
            return node
        if isinstance(target, ast.Name):
            value = _call(_AUG, ast.Constant(symbol), ast.Name(id=target.id, ctx=ast.Load()), node.value)
            return ast.copy_location(ast.Assign(targets=[target], value=value), node)
        if isinstance(target, ast.Subscript):
            call = _call(_AUG_ITEM, target.value, target.slice, ast.Constant(symbol), node.value)
            return ast.copy_location(ast.Expr(call), node)
        return node  # attribute targets are refused by the policy before we get here

    def _tick_body(self, node: ast.While | ast.For | ast.FunctionDef) -> ast.stmt:
        self.generic_visit(node)
        node.body.insert(0, ast.copy_location(_tick_statement(), node.body[0]))
        return node

    visit_While = visit_For = visit_FunctionDef = _tick_body

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        self.generic_visit(node)
        node.body = ast.copy_location(ast.BoolOp(op=ast.And(), values=[_call(_TICK), node.body]), node.body)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.ifs.insert(0, _call(_TICK))
        return node


@functools.lru_cache(maxsize=1024)
def compile_sandboxed(source: str, mode: str) -> CodeType:
    """Check a script against the policy and compile it with guards; raise SandboxViolation if refused."""
    tree = ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    problems = check_tree(tree)
    if problems:
        raise SandboxViolation([f"Zeile {line}: {msg}" for line, msg in problems], lineno=problems[0][0])
    if mode == "eval" and source.rstrip().endswith(EL_MARKER.strip()):
        tree = with_el_semantics(cast(ast.Expression, tree))
    tree = _tick_between_statements(cast(ast.Module | ast.Expression, _Guard().visit(tree)))
    return compile(ast.fix_missing_locations(tree), SCRIPT_FILENAME, mode)


def _tick_between_statements(tree: ast.Module | ast.Expression) -> ast.Module | ast.Expression:
    """Put a checkpoint before every statement, so slow straight-line code also meets the deadline."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                ticked: list[ast.stmt] = []
                for statement in statements:
                    ticked += [ast.copy_location(_tick_statement(), statement), statement]
                setattr(node, field, ticked)
    return tree


def _deadline_tick(time_limit: float) -> Callable[[], bool]:
    deadline = time.monotonic() + time_limit

    def tick() -> bool:
        if time.monotonic() > deadline:
            raise _Deadline
        return True

    return tick


def run_sandboxed(code: CodeType, namespace: dict[str, Any], time_limit: float) -> Any:
    """Run compiled script code in namespace with the safe builtins and a deadline."""
    namespace["__builtins__"] = {**SAFE_BUILTINS, _TICK: _deadline_tick(time_limit)}
    try:
        return eval(code, namespace)  # noqa: S307 -- code was checked and guarded by compile_sandboxed
    except _Deadline as stop:
        timeout = ScriptTimeout(f"Skript nach {time_limit:g} s abgebrochen (time limit exceeded)")
        raise timeout.with_traceback(stop.__traceback__) from None


def _shielded(name: str, function: Callable) -> Callable:
    """Wrap a registered function so its exceptions reach scripts without engine objects attached."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            # WorkflowTaskException and friends carry `.task` and so the whole workflow; hand the
            # script a plain copy instead, keeping the builtin type so `except ValueError` still works.
            kind = type(exc) if type(exc) in CATCHABLE_EXCEPTIONS.values() else ScriptFunctionError
            raise kind(f"{name}: {exc}") from None

    return call


# A missing process variable simply counts as null, as in kimflow's decisions.
_BENIGN_FEEL_WARNINGS = ("unknown variable",)


class FeelExpressionError(ValueError):
    """A FEEL expression (text after `=`) could not be evaluated; the message names the text."""


def evaluate_feel(expression: str, variables: dict) -> Any:
    """Evaluate `=<FEEL>` with the variables as context and return a plain JSON-friendly value."""
    text = expression.lstrip()[len(FEEL_PREFIX):].strip()
    problem = feel_syntax_problem(text)
    if problem:  # deploy refuses this; reached only by expressions never deployed (tests, API callers)
        raise FeelExpressionError(problem)
    compiled = decision.compile(text)  # cached: parsed once per text, never eval'd as Python
    warnings: list[str] = []
    value = compiled.evaluate(variables, warnings=warnings)
    serious = [w for w in warnings if not w.startswith(_BENIGN_FEEL_WARNINGS)]
    if value is None and serious:
        raise FeelExpressionError(f"Der FEEL-Ausdruck »{text}« ergab keinen Wert: {serious[0]}")
    return decision.to_plain(value)


class SandboxEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment semantics (data in, assignments out, functions not kept) inside the sandbox."""

    def __init__(self, functions: Mapping[str, Callable], time_limit: float, workers: WorkerPool | None = None):
        refused = sorted(set(functions) & (FORBIDDEN_CALLS | set(SAFE_BUILTINS)) | {
            n for n in functions if n.startswith("_")})
        if refused:
            raise ValueError(f"script function names not allowed: {refused}")
        super().__init__({name: _shielded(name, fn) for name, fn in functions.items()})
        self.time_limit = time_limit
        self._workers = workers
        if workers is None:
            WorkerLimits.from_env()  # a misconfigured limit stops the app at start, not every script later

    @property
    def workers(self) -> WorkerPool:
        """The worker pool script tasks run in (this process's shared pool unless one was given)."""
        if self._workers is None:
            self._workers = shared_pool()
        return self._workers

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        if expression.lstrip().startswith(FEEL_PREFIX):
            return evaluate_feel(expression, {**(external_context or {}), **context})
        code = compile_sandboxed(expression, "eval")
        namespace = {**self.globals, **(external_context or {}), **context}
        return run_sandboxed(code, namespace, self.time_limit)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script task's script in a worker process and replace the task data with what it leaves."""
        compile_sandboxed(script, "exec")  # refuse before touching the task data or a worker
        self.check_for_overwrite(context, external_context or {})
        data = {name: value for name, value in context.items() if name != "__builtins__" and not callable(value)}
        result = self.workers.execute(script, data, functions=self.globals, time_limit=self.time_limit,
                                      external=dict(external_context or {}))
        context.clear()
        context.update(result)
        return True


class SandboxedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine for every script, condition, DMN cell and timer, run in the sandbox."""

    def __init__(self, functions: Mapping[str, Callable] | None = None, *, time_limit: float = 1.0,
                 workers: WorkerPool | None = None):
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        super().__init__(environment=SandboxEnvironment(dict(functions or {}), time_limit, workers))
        self.time_limit = time_limit

    def validate(self, expression: str) -> None:
        """Raise SyntaxError for unparsable text (DMN relies on it) and SandboxViolation for refused text."""
        problems = check_tree(ast.parse(expression))
        if problems:
            raise SandboxViolation([f"Zeile {line}: {msg}" for line, msg in problems], lineno=problems[0][0])

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        """Evaluate like the base class, but keep the reason in the message shown to people."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            message = f"Error evaluating expression '{expression}': {type(err).__name__}: {err}"
            raise WorkflowTaskException(message, task=task, exception=err) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """Wrap a script error with its line; unlike the base class, tolerate non-string args."""
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, SpiffWorkflowException):
            err.line_number, err.error_line = line_number, error_line
            err.add_note(f"Python script error on line {line_number}: '{error_line}'")
            return err
        detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        return WorkflowTaskException(detail, task=task, exception=err, line_number=line_number,
                                     error_line=error_line)

    def get_error_line_number_and_content(self, script: str, err: BaseException) -> tuple[int, str]:
        """Find the failing script line from a syntax error, a violation or the traceback."""
        line_number = getattr(err, "script_line", 0) or 0  # reported by the worker process
        if isinstance(err, SyntaxError | SandboxViolation):
            line_number = err.lineno or line_number
        elif not line_number:
            for frame in traceback.extract_tb(err.__traceback__):
                if frame.filename == SCRIPT_FILENAME:
                    line_number = frame.lineno or 0
        lines = script.splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line
