"""Behaviour of FEEL expressions."""

from decimal import Decimal

from engine.decision import compile, evaluate


def test_durations_compare_by_length():
    assert evaluate('@"P10D" >= @"P7D"') is True
    assert evaluate('duration("P1Y") > duration("P11M")') is True


def test_arithmetic_uses_decimal_precision():
    assert evaluate("1 / 3") == Decimal("0.3333333333333333333333333333333333")


def test_names_with_spaces_resolve_against_variables():
    assert evaluate("Monthly Income * 12", {"Monthly Income": 1000}) == Decimal(12000)


def test_names_with_operators_resolve_when_known():
    assert evaluate("Loan-to-value + 1", {"Loan-to-value": 2}) == Decimal(3)


def test_null_propagates_through_arithmetic():
    assert evaluate("x + 1", {"x": None}) is None


def test_three_valued_logic():
    assert evaluate("true and null") is None
    assert evaluate("false and null") is False
    assert evaluate("true or null") is True


def test_for_over_range_and_multiple_iterators():
    assert evaluate("for i in 1..2, j in [10, 20] return i * j") == [10, 20, 20, 40]


def test_filter_with_boolean_and_index():
    assert evaluate("[1, 2, 3][item > 1]") == [2, 3]
    assert evaluate("[1, 2, 3][-1]") == 3


def test_context_entries_see_earlier_entries():
    assert evaluate("{a: 1, b: a + 1}.b") == 2


def test_user_function_with_named_arguments():
    assert evaluate("{f: function(a, b) a - b, r: f(b: 1, a: 5)}.r") == 4


def test_date_arithmetic_and_properties():
    assert evaluate('(date("2020-01-31") + duration("P1M")).day') == 29


def test_errors_give_null_and_a_warning():
    warnings = []
    assert evaluate('"a" + 1', warnings=warnings) is None
    assert warnings


def test_syntax_errors_give_null_not_exceptions():
    warnings = []
    assert compile("1 +* 2").evaluate(warnings=warnings) is None
    assert warnings


def test_compiled_expression_is_reused():
    assert compile("x * 2") is compile("x * 2")
    assert compile("x * 2").evaluate({"x": 4}) == 8


def test_instance_of_and_between():
    assert evaluate("5 instance of number") is True
    assert evaluate("5 between 1 and 10") is True


def test_string_functions_by_family():
    assert evaluate('substring("foobar", 3, 2)') == "ob"
    assert evaluate('replace("abc", "b", "x")') == "axc"
    assert evaluate('string join(["a", "b"], "-")') == "a-b"


def test_sort_with_precedes_function():
    assert evaluate("sort([3, 1, 2], function(x, y) x > y)") == [3, 2, 1]


def test_range_relations():
    assert evaluate("before(1, [2..5])") is True
    assert evaluate("includes([1..10], 5)") is True
