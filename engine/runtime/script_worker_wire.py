"""What crosses the boundary to the script worker: one line of JSON per message, never a pickle.

Dates, times, durations, decimals and sets travel in the form instance state is stored in
(`serialization._DataRegistry`); restoring builds only those registered value types, so neither side
can make the other construct an arbitrary object.
"""

from __future__ import annotations

import builtins
import json
from typing import Any

from engine.bpmn.script_policy import SandboxViolation
from engine.runtime.serialization import _DataRegistry

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_ERROR_TEXT = 2000

_REGISTRY = _DataRegistry()


class ScriptWorkerError(Exception):
    """The script worker failed (crashed, answered nonsense, or could not be reached)."""


class ScriptLimitExceeded(ScriptWorkerError):
    """A script hit an OS limit of its worker (memory, CPU time) or the parent's wall-clock timeout."""


class ScriptTimeout(Exception):
    """A script ran longer than the engine's time limit."""


class ScriptFunctionError(Exception):
    """A registered function failed with an error that is not one of the catchable builtin types."""


class UnsendableValue(TypeError):
    """A value cannot cross the worker boundary (it is none of the storable data types)."""


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        typename = _REGISTRY.typenames.get(o.__class__)
        if typename in _REGISTRY.convert_to_dict:
            return _REGISTRY.convert_to_dict[typename](o)
        try:
            return _REGISTRY.fallback(o)
        except TypeError:
            raise UnsendableValue(type(o).__name__) from None


def encode(message: dict[str, Any]) -> bytes:
    """Return one message as a line of JSON; raise UnsendableValue for values JSON cannot carry."""
    try:
        text = json.dumps(message, cls=_Encoder, separators=(",", ":"), allow_nan=True)
    except RecursionError:
        raise UnsendableValue("zu tief verschachtelt") from None
    except ValueError as err:  # circular reference
        raise UnsendableValue(str(err)) from None
    return text.encode("utf-8") + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one message; raise ScriptWorkerError for anything that is not a JSON object."""
    try:
        message = json.loads(line)
        if not isinstance(message, dict):
            raise ValueError("not an object")
        return message
    except (ValueError, RecursionError) as err:
        raise ScriptWorkerError("Der Skriptprozess hat eine ungültige Antwort gesendet.") from err


def restore(value: Any) -> Any:
    """Turn decoded JSON back into task data values (dates, decimals, sets, ...)."""
    return _REGISTRY.restore(value)


def unsendable(data: dict[str, Any]) -> list[str]:
    """Return "'name' (type)" for every variable whose value cannot cross the boundary."""
    found = []
    for name, value in data.items():
        try:
            encode({"v": value})
        except UnsendableValue:
            found.append(f"{name!r} ({type(value).__name__})")
    return found


# -- errors ---------------------------------------------------------------------------------------

class _RemoteKeyError(KeyError):
    """A KeyError from the worker; shows its key text as the worker did, without extra quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_RemoteKeyError.__name__ = "KeyError"  # messages read "KeyError: 7", as for a KeyError raised here

_KNOWN: dict[str, type[Exception]] = {
    "ScriptTimeout": ScriptTimeout, "ScriptFunctionError": ScriptFunctionError,
    "ScriptLimitExceeded": ScriptLimitExceeded, "ScriptWorkerError": ScriptWorkerError,
    "KeyError": _RemoteKeyError,
}


def describe_error(err: BaseException, line: int) -> dict[str, Any]:
    """Return the wire form of an exception raised by a script (type name, message, script line)."""
    problems = err.problems if isinstance(err, SandboxViolation) else None
    return {"type": type(err).__name__, "message": str(err)[:MAX_ERROR_TEXT], "line": line, "problems": problems}


def rebuild_error(error: dict[str, Any]) -> Exception:
    """Rebuild an exception from its wire form: the same builtin type where possible, never an arbitrary one."""
    name, message = str(error.get("type") or "Exception"), str(error.get("message") or "")
    line = error.get("line") if isinstance(error.get("line"), int) else 0
    rebuilt: Exception
    if name == "SandboxViolation":
        problems = [str(p) for p in error.get("problems") or [message]]
        rebuilt = SandboxViolation(problems, lineno=line or None)
    else:
        cls = _KNOWN.get(name) or getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                rebuilt = cls(message)
            except TypeError:  # builtin types with other signatures (UnicodeDecodeError, ...)
                rebuilt = ScriptWorkerError(f"{name}: {message}")
        else:
            rebuilt = ScriptWorkerError(f"{name}: {message}")
    rebuilt.script_line = line  # type: ignore[attr-defined]
    return rebuilt
