"""Evaluate the library's decisions the way kimflow does: its parser and its FEEL decision engine."""

from __future__ import annotations

from functools import cache

from engine.bpmn.validation import analyse_bundle
from engine.core import clock
from workflows.library import library_files
from workflows.setup import build_extensions

from .runner import START


@cache
def _parser():
    analysis = analyse_bundle(library_files(), known_offices=build_extensions().offices)
    assert not analysis.errors and analysis.parser is not None, analysis.errors
    return analysis.parser


class _DecisionTask:
    """The little a business-rule task's decision call reads: the task data."""

    def __init__(self, data: dict):
        self.data = data


def decide(decision_id: str, **data) -> dict:
    """Evaluate one decision against `data` on the walks' frozen today and return the variables it sets."""
    with clock.frozen(START):
        return _parser().get_engine(decision_id, None).result(_DecisionTask(data))


def matching_rules(decision_id: str, **data) -> int:
    """Return how many rules of the decision's table matched `data` (UNIQUE tables must match exactly one)."""
    with clock.frozen(START):
        result = _parser().decision_models().evaluate_decision(decision_id, data, context=data)
    assert not [w for w in result.warnings if "unknown variable" not in str(w)], result.warnings
    return len(result.matched_rules)
