"""Behaviour of unary tests (decision table input entries)."""

from engine.decision import compile


def matches(text, value):
    return compile(text, "unary").evaluate(value=value)


def test_dash_matches_anything():
    assert matches("-", 42) is True


def test_comparison_and_interval():
    assert matches("< 5", 3) is True
    assert matches("[1..5]", 5) is True
    assert matches("[1..5)", 5) is False


def test_list_of_tests_matches_any():
    assert matches('"a", "b"', "b") is True


def test_not_negates_the_list():
    assert matches('not("a", "b")', "c") is True


def test_question_mark_binds_the_input():
    assert matches("? > 5 and ? < 10", 7) is True


def test_null_input_counts_as_null():
    assert matches("< 5", None) is None
    assert matches("null", None) is True
