"""Run script tasks in separate worker processes that hold no secret, under OS limits.

The app process keeps the secret key, database passwords and connections; a script that got past the
language policy must find none of them. So script tasks run in a pool of small, warm worker processes
started fresh (`python -I`, never a fork of the app) with a scrubbed environment, importing only the
sandbox. Each worker limits its own memory and CPU time; the parent adds a wall-clock timeout. A worker
that dies, hits a limit or overruns is replaced, and the script ends with a German error (an incident),
never a hang. Data crosses as JSON lines; functions registered for scripts run here, called back by name.
"""

from __future__ import annotations

import atexit
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.runtime import script_worker_wire as wire
from engine.runtime.script_worker_wire import ScriptLimitExceeded, ScriptWorkerError

__all__ = ["ScriptLimitExceeded", "ScriptWorkerError", "WorkerLimits", "WorkerPool", "shared_pool"]

_ROOT = Path(__file__).resolve().parents[2]
# Load the engine's subpackages without `engine/__init__.py`, which would pull in the whole application.
_BOOTSTRAP = (
    "import sys, types\n"
    "root = sys.argv[1]\n"
    "sys.path.insert(0, root)\n"
    "package = types.ModuleType('engine')\n"
    "package.__path__ = [root + '/engine']\n"
    "sys.modules['engine'] = package\n"
    "from engine.runtime.script_worker_child import main\n"
    "main(sys.argv[2:])\n"
)
# The only variables a worker inherits; everything else (secret key, database URL, passwords) stays here.
_INHERITED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
STARTUP_SECONDS = 30.0


def _positive(environ: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} muss eine Zahl sein (gefunden: {text!r})") from None
    if value < minimum:
        raise ValueError(f"{name} muss mindestens {minimum:g} sein (gefunden: {text!r})")
    return value


@dataclass(frozen=True)
class WorkerLimits:
    """How many workers a process keeps and what each script may use."""

    workers: int = 2  # warm worker processes per app process
    memory_mb: int = 512  # address space of one worker (RLIMIT_AS)
    cpu_seconds: int = 2  # CPU time of one script (RLIMIT_CPU)
    timeout_seconds: float = 10.0  # wall-clock time of one script in the parent, callbacks included
    cpu_lifetime: int = 120  # CPU time of one worker before it is replaced

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerLimits:
        """Read KIMFLOW_SCRIPT_WORKERS, _MEMORY_MB, _CPU_SECONDS and _TIMEOUT_SECONDS (defaults otherwise)."""
        env = os.environ if environ is None else environ
        return cls(workers=int(_positive(env, "KIMFLOW_SCRIPT_WORKERS", cls.workers, 1)),
                   memory_mb=int(_positive(env, "KIMFLOW_SCRIPT_MEMORY_MB", cls.memory_mb, 128)),
                   cpu_seconds=int(_positive(env, "KIMFLOW_SCRIPT_CPU_SECONDS", cls.cpu_seconds, 1)),
                   timeout_seconds=_positive(env, "KIMFLOW_SCRIPT_TIMEOUT_SECONDS", cls.timeout_seconds, 0.5))


class _Lost(Exception):
    """The conversation with a worker broke off; the message says why, in German."""


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, limits: WorkerLimits, preload: Sequence[str]):
        env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
        lifetime = max(limits.cpu_lifetime, 10 * limits.cpu_seconds)
        args = [str(limits.memory_mb), str(limits.cpu_seconds), str(lifetime), *preload]
        self.limits = limits
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and bootstrap, no shell
            [sys.executable, "-I", "-c", _BOOTSTRAP, str(_ROOT), *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd="/", close_fds=True)
        self._buffer = b""
        self.ready = False
        self.timeout = limits.timeout_seconds  # of the job in progress

    def send(self, data: bytes, deadline: float) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdin, selectors.EVENT_WRITE)
            while data:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise _Lost(self.timed_out())
                try:
                    written = os.write(stdin.fileno(), data[:65536])
                except (BrokenPipeError, OSError):
                    raise _Lost(self.ended()) from None
                data = data[written:]

    def receive(self, deadline: float) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if len(self._buffer) > wire.MAX_MESSAGE_BYTES:
                    raise _Lost("Die Antwort des Skriptprozesses ist zu groß.")
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise _Lost(self.timed_out())
                chunk = os.read(stdout.fileno(), 1 << 20)
                if not chunk:
                    raise _Lost(self.ended())
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return wire.decode(line)
        except ScriptWorkerError as err:
            raise _Lost(str(err)) from None

    def start(self) -> None:
        if not self.ready:
            if self.receive(time.monotonic() + STARTUP_SECONDS).get("ready") is not True:
                raise _Lost("Der Skriptprozess hat sich nicht korrekt gemeldet.")
            self.ready = True

    def timed_out(self) -> str:
        self.close()
        return (f"Das Skript wurde nach {self.timeout:g} s abgebrochen "
                "(Zeitgrenze des Skriptprozesses überschritten).")

    def ended(self) -> str:
        self.close()
        code = self.process.returncode
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return f"Das Skript hat die CPU-Zeitgrenze von {self.limits.cpu_seconds} s überschritten."
        return (f"Der Skriptprozess wurde unerwartet beendet (Code {code}); vermutlich hat das Skript die "
                f"Speichergrenze von {self.limits.memory_mb} MiB erreicht.")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        self.process.wait()


class WorkerPool:
    """A few warm script workers per process, started on first use and replaced when they end."""

    def __init__(self, limits: WorkerLimits | None = None, *, preload: Sequence[str] = ()):
        self.limits = limits or WorkerLimits.from_env()
        self.preload = tuple(preload)
        self._idle: list[_Worker] = []
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False
        self.started = 0  # worker processes started so far (for tests and monitoring)
        _POOLS.add(self)

    def execute(self, script: str, data: dict[str, Any], *, functions: Mapping[str, Callable[..., Any]],
                time_limit: float, external: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a script on a copy of data in a worker and return the data it leaves; raise its error."""
        job = {"op": "run", "script": script, "data": data, "external": external or {},
               "functions": sorted(functions), "time_limit": time_limit}
        return self._ask(job, functions, time_limit)

    def probe(self, name: str, payload: dict[str, Any] | None = None) -> Any:
        """Ask a diagnostic hook registered by a preloaded module inside a worker."""
        return self._ask({"op": "probe", "name": name, "payload": payload or {}}, {}, 0.0)

    def close(self) -> None:
        """End every idle worker (busy ones end when their script does); a later script starts new ones."""
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for worker in idle:
            worker.close()

    def _ask(self, job: dict[str, Any], functions: Mapping[str, Callable[..., Any]],
             time_limit: float) -> dict[str, Any]:
        try:
            message = wire.encode(job)
        except wire.UnsendableValue:
            names = ", ".join(wire.unsendable(job.get("data") or {}) + wire.unsendable(job.get("external") or {}))
            raise ScriptWorkerError(f"Die Prozessdaten enthalten Werte, die das Skript nicht erhalten kann: "
                                    f"{names or 'unbekannt'}.") from None
        timeout = max(self.limits.timeout_seconds, time_limit + 1.0)
        if not self._slots.acquire(timeout=timeout):
            raise ScriptLimitExceeded(f"Alle {self.limits.workers} Skriptprozesse waren {timeout:g} s lang belegt.")
        try:
            return self._converse(message, functions, timeout)
        finally:
            self._slots.release()

    def _converse(self, message: bytes, functions: Mapping[str, Callable[..., Any]],
                  timeout: float) -> dict[str, Any]:
        worker = self._checkout()
        try:
            worker.start()
            worker.timeout = timeout
            deadline = time.monotonic() + timeout
            reply = _Conversation(worker, functions, deadline).run(message)
        except _Lost as lost:
            worker.close()
            raise ScriptLimitExceeded(str(lost)) from None
        except BaseException:
            worker.close()
            raise
        with self._lock:
            keep = not reply.get("retire") and not self._closed
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.close()
        if "error" in reply:
            raise wire.rebuild_error(reply["error"])
        return wire.restore(reply.get("data"))

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked: the workers' pipes belong to the parent process
                self._idle, self._pid = [], os.getpid()
            self._closed = False
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.close()
            self.started += 1
        return _Worker(self.limits, self.preload)


class _Conversation:
    """One job: send it, answer the worker's function calls, return its final reply."""

    def __init__(self, worker: _Worker, functions: Mapping[str, Callable[..., Any]], deadline: float):
        self.worker = worker
        self.functions = functions
        self.deadline = deadline

    def run(self, message: bytes) -> dict[str, Any]:
        self.worker.send(message, self.deadline)
        while True:
            reply = self.worker.receive(self.deadline)
            if "call" not in reply:
                return reply
            self.worker.send(wire.encode(self._call(reply)), self.deadline)

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        name = str(request.get("call"))
        function = self.functions.get(name)
        if function is None:
            return {"raise": {"type": "NameError", "message": f"name {name!r} is not defined"}}
        try:
            args, kwargs = wire.restore(request.get("args") or []), wire.restore(request.get("kwargs") or {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise TypeError(f"{name}: ungültiger Aufruf")
            value = function(*args, **kwargs)
            wire.encode({"value": value})
        except wire.UnsendableValue:
            return {"raise": {"type": "TypeError",
                              "message": f"{name}: das Ergebnis kann nicht an das Skript übergeben werden"}}
        except Exception as err:  # noqa: BLE001 - reaches the script as its own error type
            return {"raise": wire.describe_error(err, 0)}
        return {"value": value}


_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_SHARED: dict[WorkerLimits, WorkerPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(limits: WorkerLimits | None = None) -> WorkerPool:
    """Return this process's pool for the given limits (from the environment by default)."""
    limits = limits or WorkerLimits.from_env()
    with _SHARED_LOCK:
        pool = _SHARED.get(limits)
        if pool is None:
            pool = _SHARED[limits] = WorkerPool(limits)
        return pool


@atexit.register
def _close_all() -> None:
    for pool in list(_POOLS):
        pool.close()
