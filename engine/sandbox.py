"""Script engine for scripts and expressions (first cut: not yet a sandbox; see issue 2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment


class SandboxedScriptEngine(PythonScriptEngine):
    def __init__(self, functions: Mapping[str, Callable] | None = None, *, time_limit: float = 1.0):
        super().__init__(environment=TaskDataEnvironment(dict(functions or {})))
        self.time_limit = time_limit
