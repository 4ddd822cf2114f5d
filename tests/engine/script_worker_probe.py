"""Loaded into script workers by test_script_worker.py only: code that has escaped the language policy.

Each probe runs inside the worker with the power of an escaped script: it reads the environment, every
loaded module's state and every live container, tries the parent's environment through /proc, and
reports what it found. Secrets come reversed, so the request itself never holds the text searched for.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time
from typing import Any

from engine.runtime.script_worker_child import register_probe

_CONTAINERS = (dict, list, tuple, set, frozenset)


def _texts(value: Any, depth: int = 0):
    if isinstance(value, str | bytes):
        yield value if isinstance(value, str) else value.decode("utf-8", "replace")
    elif depth < 4 and isinstance(value, _CONTAINERS):
        items = value.items() if isinstance(value, dict) else value
        for item in items:
            yield from _texts(item, depth + 1)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def _search(payload: dict[str, Any]) -> dict[str, Any]:
    wanted = [text[::-1] for text in payload["reversed"]]
    places: dict[str, list[str]] = {text: [] for text in wanted}

    def look(where: str, text: str) -> None:
        for secret in wanted:
            if secret in text:
                places[secret].append(where)

    for name, value in os.environ.items():
        look(f"os.environ[{name}]", f"{name}={value}")
    for name, module in list(sys.modules.items()):
        for text in _texts(list(getattr(module, "__dict__", {}).values())):
            look(f"module {name}", text)
    own = {id(wanted), id(places), id(payload)}
    for container in gc.get_objects():
        if isinstance(container, _CONTAINERS) and id(container) not in own:
            for text in _texts(container, depth=3):
                look("live object", text)
    for path in ("/proc/self/environ", f"/proc/{os.getppid()}/environ", f"/proc/{os.getppid()}/cmdline"):
        look(path, _read(path) or "")
    return {"found": places, "modules": sorted(sys.modules),
            "parent_environ_readable": _read(f"/proc/{os.getppid()}/environ") is not None,
            "uid": os.getuid()}


def _spin(payload: dict[str, Any]) -> None:
    while True:  # no sandbox checkpoint here: only the CPU limit stops this
        pass


def _sleep(payload: dict[str, Any]) -> None:
    time.sleep(3600)  # uses no CPU: only the parent's timeout stops this


def _fork(payload: dict[str, Any]) -> str:
    try:
        pid = os.fork()
    except OSError as err:
        return f"refused: {err.strerror}"
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "forked"


def _reach_out(payload: dict[str, Any]) -> dict[str, str]:
    outcomes = {}
    for name, attempt in (("signal parent", lambda: os.kill(os.getppid(), 0)),
                          ("open file", lambda: open("/etc/hostname", "rb").close()),  # noqa: SIM115
                          ("raise memory limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))):
        try:
            attempt()
            outcomes[name] = "done"
        except (OSError, ValueError) as err:
            outcomes[name] = f"refused: {err}"
    return outcomes


register_probe("search", _search)
register_probe("reach_out", _reach_out)
register_probe("spin", _spin)
register_probe("sleep", _sleep)
register_probe("fork", _fork)
