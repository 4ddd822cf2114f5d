"""The script worker process: run checked scripts on JSON task data under OS limits, holding no secret.

Started by `script_worker.WorkerPool` as `python -I -c BOOTSTRAP` with a scrubbed environment. It imports
only the sandbox and the data conversion, then locks itself down before the first script: memory
(RLIMIT_AS) and CPU time (RLIMIT_CPU) limits, no new files or sockets (RLIMIT_NOFILE), no files
written, no child processes, no core dumps, without root rights when started as root, and (where the
kernel has Landlock) no file access, no TCP and no signals to other processes. Messages
are lines of JSON on stdin/stdout; registered script functions are called back in the parent.
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.runtime import script_worker_landlock
from engine.runtime import script_worker_wire as wire
from engine.runtime.sandbox import SCRIPT_FILENAME, compile_sandboxed, run_sandboxed

NOBODY = 65534
_PR_SET_NO_NEW_PRIVS = 38
_MEMORY_MESSAGE = "Das Skript hat die Speichergrenze von {mb} MiB überschritten (memory limit exceeded)."
_UNSENDABLE = ("Das Skript hinterließ Werte, die nicht gespeichert werden können: {names}. Erlaubt sind Text, "
               "Zahlen, Wahrheitswerte, Listen, Verzeichnisse, Datum, Uhrzeit, Zeitspanne, Decimal und Mengen.")

# Diagnostics a preloaded module may register (tests use one to play an escaped script).
PROBES: dict[str, Callable[[dict[str, Any]], Any]] = {}


def register_probe(name: str, probe: Callable[[dict[str, Any]], Any]) -> None:
    """Let a module preloaded into the worker answer `probe` requests (diagnostics and tests only)."""
    PROBES[name] = probe


class _Channel:
    """The parent at the other end of stdin/stdout."""

    def __init__(self) -> None:
        self._in = sys.stdin.buffer
        self._out = sys.stdout.buffer
        sys.stdout = sys.stderr  # nothing but protocol lines may reach the parent's pipe

    def send(self, message: dict[str, Any]) -> None:
        self._out.write(wire.encode(message))
        self._out.flush()

    def receive(self) -> dict[str, Any] | None:
        line = self._in.readline(wire.MAX_MESSAGE_BYTES)
        return wire.decode(line) if line else None


class _Limits:
    def __init__(self, memory_mb: int, cpu_seconds: int, cpu_lifetime: int):
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.cpu_lifetime = cpu_lifetime

    def lock_down(self) -> None:
        """Apply the limits that hold for the worker's whole life; hard limits cannot be raised again."""
        memory = self.memory_mb * 1024 * 1024
        _drop_root()
        _no_new_privileges()
        script_worker_landlock.restrict()  # before RLIMIT_NOFILE: it needs one file descriptor briefly
        for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, 0),
                             (resource.RLIMIT_NPROC, 0), (resource.RLIMIT_NOFILE, 3)):
            resource.setrlimit(limit, (value, value))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_lifetime, self.cpu_lifetime))

    def memory_spent(self) -> bool:
        """Tell whether the worker once grew past half its memory limit (its heap stays fragmented)."""
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > self.memory_mb * 1024 // 2

    def arm_cpu(self) -> bool:
        """Give the next script cpu_seconds of CPU time; False when the worker's lifetime budget is spent."""
        soft = math.ceil(_cpu_used()) + self.cpu_seconds
        if soft >= self.cpu_lifetime:
            return False
        resource.setrlimit(resource.RLIMIT_CPU, (soft, self.cpu_lifetime))
        return True


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _drop_root() -> None:
    # Root could raise every hard limit again and read other processes' memory and environment.
    if os.getuid() == 0 or os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        except PermissionError:  # a root without CAP_SETUID (some containers): the other limits still hold
            pass


def _no_new_privileges() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the other limits still apply
        pass


def _warm_up() -> None:
    """Load what C code would import lazily, while files can still be opened."""
    datetime.strptime("2024-01-02", "%Y-%m-%d")
    compile_sandboxed("x = 1", "exec")


class _Worker:
    def __init__(self, channel: _Channel, limits: _Limits):
        self.channel = channel
        self.limits = limits

    def serve(self) -> None:
        while True:
            job = self.channel.receive()
            if job is None:
                return
            reply = self.handle(job)
            if isinstance(reply.get("error"), dict) and reply["error"]["type"] == "ScriptLimitExceeded":
                reply["retire"] = True
            if not self.limits.arm_cpu() or self.limits.memory_spent():
                reply["retire"] = True
            self.channel.send(reply)
            if reply.get("retire"):
                return

    def handle(self, job: dict[str, Any]) -> dict[str, Any]:
        try:
            if job.get("op") == "probe":
                return {"data": PROBES[str(job.get("name"))](job.get("payload") or {})}
            return {"data": self.run(job)}
        except MemoryError as err:
            if str(err):  # the sandbox's own size guard: an ordinary script error
                return {"error": wire.describe_error(err, _script_line(err))}
            message = _MEMORY_MESSAGE.format(mb=self.limits.memory_mb)
            return {"error": {"type": "ScriptLimitExceeded", "message": message, "line": _script_line(err)}}
        except Exception as err:  # noqa: BLE001 - every script error goes back to the parent
            return {"error": wire.describe_error(err, _script_line(err))}

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        code = compile_sandboxed(str(job["script"]), "exec")  # the policy again, on this side
        namespace: dict[str, Any] = wire.restore(job.get("data") or {})
        external: dict[str, Any] = wire.restore(job.get("external") or {})
        functions = {str(name): self._proxy(str(name)) for name in job.get("functions") or []}
        namespace.update(functions)
        namespace.update(external)
        run_sandboxed(code, namespace, float(job["time_limit"]))
        result = {name: value for name, value in namespace.items()
                  if name != "__builtins__" and not callable(value) and name not in functions
                  and name not in external}
        problems = wire.unsendable(result)
        if problems:
            raise ValueError(_UNSENDABLE.format(names=", ".join(problems)))
        return result

    def _proxy(self, name: str) -> Callable[..., Any]:
        channel = self.channel

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                channel.send({"call": name, "args": list(args), "kwargs": kwargs})
            except wire.UnsendableValue as err:
                raise TypeError(f"{name}: Argument kann nicht übergeben werden ({err})") from None
            answer = channel.receive()
            if answer is None:
                raise SystemExit(0)
            if "raise" in answer:
                raise wire.rebuild_error(answer["raise"])
            return wire.restore(answer.get("value"))

        return call


def _script_line(err: BaseException) -> int:
    line = 0
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == SCRIPT_FILENAME:
            line = frame.lineno or 0
    return line or getattr(err, "lineno", 0) or 0


def main(argv: list[str]) -> None:
    """Serve scripts until the parent closes stdin: argv is memory MiB, CPU s, lifetime CPU s, preloads."""
    memory_mb, cpu_seconds, lifetime = (int(value) for value in argv[:3])
    for module in argv[3:]:
        __import__(module)
    channel = _Channel()
    limits = _Limits(memory_mb, cpu_seconds, lifetime)
    _warm_up()
    limits.lock_down()
    limits.arm_cpu()
    channel.send({"ready": True})
    _Worker(channel, limits).serve()
