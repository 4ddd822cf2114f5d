"""Evaluate the library's decision tables the way kimflow does: its parser, its FEEL translation, its sandbox."""

from __future__ import annotations

from functools import cache

from engine.bpmn.validation import analyse_bundle
from engine.core import clock
from engine.runtime.sandbox import SandboxedScriptEngine
from workflows.library import library_files
from workflows.setup import build_extensions

from .runner import START


@cache
def _parser():
    analysis = analyse_bundle(library_files(), known_offices=build_extensions().offices)
    assert not analysis.errors and analysis.parser is not None, analysis.errors
    return analysis.parser


@cache
def _script_engine() -> SandboxedScriptEngine:
    return SandboxedScriptEngine(build_extensions().script_functions)


class _DecisionTask:
    """The little a DMN engine needs from a task: data and a workflow with kimflow's script engine."""

    def __init__(self, data: dict):
        self.data = data
        self.workflow = type("W", (), {"script_engine": _script_engine()})()


def decide(decision_id: str, **data) -> dict:
    """Evaluate one decision table against `data` on the walks' frozen today and return its outputs."""
    with clock.frozen(START):
        return _parser().get_engine(decision_id, None).result(_DecisionTask(data))


def matching_rules(decision_id: str, **data) -> int:
    """Return how many rules of the table match `data` (UNIQUE tables must match exactly one)."""
    engine = _parser().get_engine(decision_id, None)
    policy, engine.decision_table.hit_policy = engine.decision_table.hit_policy, "COLLECT"
    try:
        with clock.frozen(START):
            return len(engine.decide(_DecisionTask(data)))
    finally:
        engine.decision_table.hit_policy = policy
