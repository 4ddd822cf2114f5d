"""Translating JUEL, FEEL and ISO timer values to the Python SpiffWorkflow evaluates."""

from __future__ import annotations

import pytest

from engine.bpmn.expressions import (
    ExpressionError,
    check_timer_literal,
    compile_problem,
    juel_to_python,
    timer_to_python,
)
from engine.bpmn.feel import (
    feel_input_entry_to_python,
    feel_input_expression_to_python,
    feel_output_entry_to_python,
)


@pytest.mark.parametrize(("juel", "python"), [
    ("${approved}", "approved"),
    ("${a && b}", "a and b"),
    ("${a || b}", "a or b"),
    ("${!a}", "not a"),
    ("${a and b or not c}", "(a and b) or (not c)"),
    ("${x == 1}", "x == 1"),
    ("${x != 1}", "x != 1"),
    ("${x < 1 && x <= 2 && x > 0 && x >= 0}", "(((x < 1) and (x <= 2)) and (x > 0)) and (x >= 0)"),
    ("${x eq 'a'}", "x == 'a'"),
    ("${x ne \"a\"}", "x != 'a'"),
    ("${x lt 1}", "x < 1"),
    ("${x gt 1}", "x > 1"),
    ("${x le 1}", "x <= 1"),
    ("${x ge 1}", "x >= 1"),
    ("${true}", "True"),
    ("${false || null == x}", "False or (None == x)"),
    ("${empty name}", "name in (None, '', [], {})"),
    ("${not empty name}", "not (name in (None, '', [], {}))"),
    ("${person.age >= 18}", "person['age'] >= 18"),
    ("${person.address.city == 'Köln'}", "person['address']['city'] == 'Köln'"),
    ("${list[0]}", "list[0]"),
    ("${execution.getVariable('amount') > 1000}", "amount > 1000"),
    ("${mailer.send(a, 'x')}", "mailer.send(a, 'x')"),
    ("${a ? 1 : 2}", "1 if a else 2"),
    ("${a + b * c}", "a + (b * c)"),
    ("${x div 2 mod 3}", "(x / 2) % 3"),
    ("${-x}", "-x"),
    ("${'it\\'s'}", "\"it's\""),
    ("#{deferred}", "deferred"),
    ("  ${ spaced }  ", "spaced"),
    ("Hallo ${name}!", "'Hallo ' + str(name) + '!'"),
])
def test_juel_translates_to_equivalent_python(juel, python):
    assert juel_to_python(juel) == python


@pytest.mark.parametrize("python", ["x > 3 and y", "approved == True", "len(items) > 0", ""])
def test_plain_python_passes_unchanged(python):
    assert juel_to_python(python) == python


@pytest.mark.parametrize(("juel", "values", "expected"), [
    ("${a && !b}", {"a": True, "b": False}, True),
    ("${empty x}", {"x": ""}, True),
    ("${empty x}", {"x": 0}, False),
    ("${empty x}", {"x": []}, True),
    ("${p.age ge 18 and p.name ne null}", {"p": {"age": 20, "name": "A"}}, True),
    ("${n > 2 ? 'gross' : 'klein'}", {"n": 1}, "klein"),
])
def test_translated_juel_evaluates_like_juel(juel, values, expected):
    assert eval(juel_to_python(juel), {}, dict(values)) == expected


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
    ("${frist}", "frist"),
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


@pytest.mark.parametrize(("cell", "python"), [
    ("-", None),
    ("", None),
    (None, None),
    ("true", "? == True"),
    ("false", "? == False"),
    ("5", "? == 5"),
    ("-2.5", "? == -2.5"),
    ('"a"', "? == 'a'"),
    ('"a","b"', "? in ('a', 'b')"),
    ('"a", "b", "c"', "? in ('a', 'b', 'c')"),
    ("[1..5]", "1 <= ? <= 5"),
    ("(1..5]", "1 < ? <= 5"),
    ("]1..5[", "1 < ? < 5"),
    ("[1..5)", "1 <= ? < 5"),
    (">= 4", "? >= 4"),
    ("< 3", "? < 3"),
    ("> limit", "? > limit"),
    ("= 3", "? == 3"),
    ('not("a")', "not (? == 'a')"),
    ("not(1,2)", "not (? in (1, 2))"),
    ("< 3, > 10", "(? < 3) or (? > 10)"),
    ('date("2024-06-27")', "? == '2024-06-27'"),
    ('>= date("2024-06-27")', "? >= '2024-06-27'"),
    ('[date("2024-01-01")..date("2024-12-31")]', "'2024-01-01' <= ? <= '2024-12-31'"),
    ('date and time("2024-06-27T12:00:00")', "? == '2024-06-27T12:00:00'"),
    ("person.status", "? == person['status']"),
    ("1 <= ? <= 5", "1 <= ? <= 5"),
    ("len(x) > 2", "len(x) > 2"),
])
def test_feel_input_entries_become_tests_on_the_input(cell, python):
    assert feel_input_entry_to_python(cell) == python


@pytest.mark.parametrize(("cell", "value", "matches"), [
    ("[1..5]", 5, True),
    ("(1..5]", 1, False),
    ('"a","b"', "b", True),
    ('not("a")', "a", False),
    ("not(1,2)", 3, True),
    (">= 4", 3, False),
    ('< date("2024-06-27")', "2024-06-01", True),
])
def test_translated_feel_entries_match_like_camunda(cell, value, matches):
    python = feel_input_entry_to_python(cell).replace("?", "value")
    assert eval(python, {}, {"value": value}) is matches


@pytest.mark.parametrize(("cell", "python"), [
    ('"text"', "'text'"),
    ("42", "42"),
    ("-1", "-1"),
    ("true", "True"),
    ("false", "False"),
    ("null", "None"),
    ('date("2024-06-27")', "'2024-06-27'"),
    ("'python'", "'python'"),
    ("betrag * 2", "betrag * 2"),
    ("", ""),
])
def test_feel_output_entries_become_python_values(cell, python):
    assert feel_output_entry_to_python(cell) == python


@pytest.mark.parametrize(("expression", "python"), [
    ("amount", "amount"),
    ("person.age", "person['age']"),
    ("len(items)", "len(items)"),
])
def test_feel_input_expressions_become_python(expression, python):
    assert feel_input_expression_to_python(expression) == python


def test_compile_problem_names_the_original_text():
    assert "»a &&«" in compile_problem("a and", "a &&")
    assert compile_problem("a and b") is None


@pytest.mark.parametrize("mistyped", ["P14X", "PT1", "R3/P", "2027-1-31"])
def test_mistyped_iso_timer_values_are_refused(mistyped):
    with pytest.raises(ExpressionError, match="ISO-8601"):
        timer_to_python(mistyped)
