"""Behaviour of DMN decision tables, hit policies and DRGs."""

from decimal import Decimal
from html import escape

from engine.decision import load_models

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def table_model(hit_policy, rules, outputs=('<output name="r" typeRef="string"/>',), extra="", aggregation=""):
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    rule_xml = "".join(
        "<rule>" + "".join(f"<inputEntry><text>{escape(i, quote=False)}</text></inputEntry>" for i in ins)
        + "".join(f"<outputEntry><text>{o}</text></outputEntry>" for o in outs) + "</rule>"
        for ins, outs in rules
    )
    return f"""<definitions xmlns="{NS}" name="m" namespace="urn:m" id="m">
      <inputData id="i_age" name="Applicant Age"><variable name="Applicant Age" typeRef="number"/></inputData>
      <decision id="d" name="Result"><variable name="Result"/>
        <informationRequirement><requiredInput href="#i_age"/></informationRequirement>
        <decisionTable hitPolicy="{hit_policy}"{agg}>
          <input><inputExpression typeRef="number"><text>Applicant Age</text></inputExpression></input>
          {''.join(outputs)}{rule_xml}
        </decisionTable>
      </decision>{extra}
    </definitions>"""


def evaluate(xml, age):
    return load_models([xml]).evaluate_decision("Result", {"Applicant Age": age})


def test_unique_single_match_returns_unnamed_single_output():
    xml = table_model("UNIQUE", [(["< 18"], ['"minor"']), ([">= 18"], ['"adult"'])])
    assert evaluate(xml, 30).value == "adult"


def test_unique_with_two_matches_is_null_with_warning():
    xml = table_model("UNIQUE", [(["< 50"], ['"a"']), ([">= 18"], ['"b"'])])
    result = evaluate(xml, 30)
    assert result.value is None and result.warnings


def test_first_hit_policy_picks_the_first_rule():
    xml = table_model("FIRST", [(["< 50"], ['"a"']), ([">= 18"], ['"b"'])])
    assert evaluate(xml, 30).value == "a"


def test_priority_follows_output_values_order():
    out = '<output name="r" typeRef="string"><outputValues><text>"high","low"</text></outputValues></output>'
    xml = table_model("PRIORITY", [(["< 50"], ['"low"']), ([">= 18"], ['"high"'])], outputs=(out,))
    assert evaluate(xml, 30).value == "high"


def test_collect_sum_aggregates():
    out = '<output name="r" typeRef="number"/>'
    xml = table_model("COLLECT", [(["< 50"], ["1"]), ([">= 18"], ["2"])], outputs=(out,), aggregation="SUM")
    assert evaluate(xml, 30).value == Decimal(3)


def test_rule_order_returns_all_matches_in_order():
    xml = table_model("RULE ORDER", [(["< 50"], ['"a"']), ([">= 18"], ['"b"'])])
    assert evaluate(xml, 30).value == ["a", "b"]


def test_null_input_counts_as_null():
    xml = table_model("FIRST", [(["< 18"], ['"minor"']), (["null"], ['"unknown"'])])
    assert evaluate(xml, None).value == "unknown"


def test_multiple_outputs_give_a_context():
    outs = ('<output name="a" typeRef="string"/>', '<output name="b" typeRef="number"/>')
    xml = table_model("UNIQUE", [(["-"], ['"x"', "1"])], outputs=outs)
    assert evaluate(xml, 1).value == {"a": "x", "b": Decimal(1)}


def test_matched_rules_are_reported():
    xml = table_model("FIRST", [(["< 18"], ['"minor"']), (["-"], ['"other"'])])
    assert len(evaluate(xml, 30).matched_rules) == 1


def test_decision_requiring_another_decision_and_bkm():
    extra = """
      <businessKnowledgeModel id="b" name="Double It"><variable name="Double It"/>
        <encapsulatedLogic><formalParameter name="n" typeRef="number"/>
          <literalExpression><text>n * 2</text></literalExpression></encapsulatedLogic>
      </businessKnowledgeModel>
      <decision id="d2" name="Doubled Result"><variable name="Doubled Result" typeRef="number"/>
        <informationRequirement><requiredInput href="#i_age"/></informationRequirement>
        <knowledgeRequirement><requiredKnowledge href="#b"/></knowledgeRequirement>
        <literalExpression><text>Double It(Applicant Age)</text></literalExpression>
      </decision>"""
    xml = table_model("FIRST", [(["-"], ['"x"'])], extra=extra)
    assert load_models([xml]).evaluate_decision("Doubled Result", {"Applicant Age": 21}).value == 42


def test_wrong_input_type_becomes_null():
    xml = table_model("FIRST", [(["null"], ['"was null"']), (["-"], ['"other"'])])
    assert evaluate(xml, "not a number").value == "was null"
