"""JUEL, FEEL and ISO timer values as kimflow's script engine evaluates them."""

from __future__ import annotations

import pytest

from engine.bpmn.expressions import (
    ExpressionError,
    check_timer_literal,
    compile_problem,
    juel_to_python,
    timer_to_python,
)
from engine.runtime.sandbox import FeelExpressionError, SandboxedScriptEngine


def _evaluate(expression: str, data: dict | None = None):
    return SandboxedScriptEngine().environment.evaluate(expression, dict(data or {}))


@pytest.mark.parametrize(("juel", "data", "expected"), [
    ("${approved}", {"approved": True}, True),
    ("${a && b}", {"a": True, "b": False}, False),
    ("${a || b}", {"a": False, "b": True}, True),
    ("${!a}", {"a": False}, True),
    ("${a and b or not c}", {"a": False, "b": True, "c": False}, True),
    ("${x eq 'a' and y ne \"a\"}", {"x": "a", "y": "b"}, True),
    ("${x lt 1 or x gt 5 or (x le 2 and x ge 2)}", {"x": 2}, True),
    ("${false || null == x}", {"x": None}, True),
    ("${person.address.city == 'Köln'}", {"person": {"address": {"city": "Köln"}}}, True),
    ("${liste[1]}", {"liste": ["a", "b"]}, "b"),
    ("${execution.getVariable('amount') > 1000}", {"amount": 1500}, True),
    ("${a ? 1 : 2}", {"a": False}, 2),
    ("${a + b * c}", {"a": 1, "b": 2, "c": 3}, 7),
    ("${x div 2}", {"x": 5}, 2.5),
    ("${x mod 3}", {"x": 7}, 1),
    ("${-x}", {"x": 4}, -4),
    ("${'it\\'s'}", {}, "it's"),
    ("#{deferred}", {"deferred": 3}, 3),
    ("  ${ spaced }  ", {"spaced": "ja"}, "ja"),
    ("Hallo ${name}!", {"name": "Ada"}, "Hallo Ada!"),
    ("Hallo ${name}!", {"name": None}, "Hallo !"),
    ("${empty x}", {"x": ""}, True),
    ("${empty x}", {"x": 0}, False),
    ("${not empty x}", {"x": [1]}, True),
])
def test_juel_evaluates_like_camunda(juel, data, expected):
    assert _evaluate(juel_to_python(juel), data) == expected


@pytest.mark.parametrize(("python", "data", "expected"), [
    ("x > 3 and y", {"x": 4, "y": True}, True),
    ("len(items) > 0", {"items": [1]}, True),
    ("'5' == 5", {}, False),  # plain Python keeps Python's semantics
])
def test_plain_python_keeps_python_semantics(python, data, expected):
    assert juel_to_python(python) == python
    assert _evaluate(python, data) is expected


@pytest.mark.parametrize("broken", ["${a &&}", "${(a}", "${a b}", "${", "${}", "${a @ b}", "${class}"])
def test_malformed_juel_raises_a_german_expression_error(broken):
    with pytest.raises(ExpressionError, match="Ausdruck"):
        juel_to_python(broken)


@pytest.mark.parametrize(("timer", "python"), [
    ("P14D", "'P14D'"),
    ("PT1H30M", "'PT1H30M'"),
    ("P1Y2M", "'P1Y2M'"),
    ("2027-01-31T12:00:00Z", "'2027-01-31T12:00:00Z'"),
    ("2027-01-31", "'2027-01-31'"),
    ("2027-01-31T12:00:00+01:00", "'2027-01-31T12:00:00+01:00'"),
    ("R3/PT1H", "'R3/PT1H'"),
    ("R/P1D", "'R/P1D'"),
    ("R2/2027-01-01T00:00:00Z/P1D", "'R2/2027-01-01T00:00:00Z/P1D'"),
    ('"P14D"', '"P14D"'),
    ("frist", "frist"),
    (" P3D ", "'P3D'"),
])
def test_timer_values_become_python(timer, python):
    assert timer_to_python(timer) == python


def test_cron_timer_is_refused_with_a_german_message():
    with pytest.raises(ExpressionError, match="Cron"):
        timer_to_python("0 0 9 * * ?")


@pytest.mark.parametrize(("python", "kind", "ok"), [
    ("'P14D'", "timeDuration", True),
    ("'P14X'", "timeDuration", False),
    ("'2027-01-31T12:00:00Z'", "timeDuration", False),
    ("'2027-01-31T12:00:00Z'", "timeDate", True),
    ("'R3/PT1H'", "timeCycle", True),
    ("frist", "timeDuration", True),
    ("14", "timeDuration", False),
])
def test_constant_timer_values_are_checked_against_their_kind(python, kind, ok):
    assert (check_timer_literal(python, kind) is None) == ok


def test_compile_problem_names_the_original_text():
    assert "»a &&«" in compile_problem("a and", "a &&")
    assert compile_problem("a and b") is None


@pytest.mark.parametrize("mistyped", ["P14X", "PT1", "R3/P", "2027-1-31"])
def test_mistyped_iso_timer_values_are_refused(mistyped):
    with pytest.raises(ExpressionError, match="ISO-8601"):
        timer_to_python(mistyped)


def test_juel_timer_values_evaluate_to_the_variable():
    assert _evaluate(timer_to_python("${frist}"), {"frist": "P3D"}) == "P3D"


@pytest.mark.parametrize(("feel", "data", "expected"), [
    ("=betrag > 1000", {"betrag": 1500}, True),
    ("= person.alter >= 18", {"person": {"alter": 17}}, False),
    ('=date(eingang) < date("2024-06-27")', {"eingang": "2024-06-01"}, True),
    ('=duration("P10D") >= duration("P7D")', {}, True),
    ('=date("2024-06-27") + duration("P7D")', {}, "2024-07-04"),
    ('=duration("P7D")', {}, "P7D"),
    ("=betrag * 2", {"betrag": 2.5}, 5),
    ('=if eilig then "sofort" else "normal"', {"eilig": False}, "normal"),
    ('=count(antraege[status = "offen"])', {"antraege": [{"status": "offen"}, {"status": "zu"}]}, 1),
    ("=unbekannt > 3", {}, None),
])
def test_feel_expressions_evaluate_to_plain_values(feel, data, expected):
    assert _evaluate(feel, data) == expected


def test_broken_feel_fails_with_a_german_message_instead_of_running_as_python():
    with pytest.raises(FeelExpressionError, match="kein gültiges FEEL"):
        _evaluate("=betrag >", {"betrag": 1})
