"""Designer-facing validation: what is wrong and where, in German, never a crash."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn.validation import validate_bundle

FIXTURES = Path(__file__).parent / "fixtures" / "dialect"

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">')
FORM = ('<bpmn:extensionElements><camunda:formData><camunda:formField id="ok" type="boolean"/>'
        '</camunda:formData></bpmn:extensionElements>')


def _process(body: str, *, extra: str = "", executable: str = "true") -> str:
    process = f'<bpmn:process id="p" isExecutable="{executable}">{body}</bpmn:process>'
    return f"{HEAD}{process}{extra}</bpmn:definitions>"


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    inner = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{inner}'
            "</bpmn:sequenceFlow>")


def _linear(middle: str) -> str:
    """Start -> <middle element with id 'm'> -> end."""
    return (f'<bpmn:startEvent id="s"/>{_flow("f1", "s", "m")}{middle}{_flow("f2", "m", "e")}'
            '<bpmn:endEvent id="e"/>')


def _problems(files, **kwargs):
    return validate_bundle(files, **kwargs)


def _errors(xml: str, name: str = "p.bpmn", **kwargs):
    return [p for p in _problems({name: xml}, **kwargs) if p.severity == "error"]


def _warnings(xml: str):
    return [p for p in _problems({"p.bpmn": xml}) if p.severity == "warning"]


def _only_error(xml: str, **kwargs):
    errors = _errors(xml, **kwargs)
    assert len(errors) == 1, errors
    return errors[0]


VALID = _linear(f'<bpmn:userTask id="m" name="Prüfen">{FORM}</bpmn:userTask>')


def test_a_clean_diagram_has_no_problems():
    assert _problems({"p.bpmn": _process(VALID)}) == []


def test_xml_syntax_error_is_reported_with_file_and_line():
    problem = _only_error(HEAD + "\n<bpmn:process id='p'>\n</bpmn:definitions>", name="kaputt.bpmn")
    assert (problem.file, problem.line) == ("kaputt.bpmn", 3)


@pytest.mark.parametrize("garbage", [b"\x00\xff\xfe", b"<html><body/></html>", "", b"<a>" * 10])
def test_garbage_is_refused_without_crashing(garbage):
    assert _errors(garbage)


def test_empty_bundle_is_refused():
    assert validate_bundle({})[0].message == "Das Paket enthält keine Dateien."


@pytest.mark.parametrize(("middle", "fragment"), [
    ('<bpmn:intermediateThrowEvent id="m"><bpmn:linkEventDefinition id="l" name="A"/>'
     '</bpmn:intermediateThrowEvent>', "Link-Ereignisse"),
    ('<bpmn:complexGateway id="m"/>', "Komplexe Gateways"),
    ('<bpmn:intermediateThrowEvent id="m"><bpmn:compensateEventDefinition id="c"/>'
     '</bpmn:intermediateThrowEvent>', "Kompensation"),
])
def test_unsupported_elements_are_refused(middle, fragment):
    problem = _only_error(_process(_linear(middle)))
    assert fragment in problem.message
    assert problem.element_id == "m"
    assert problem.line == 1


def test_exclusive_gateway_flow_without_condition_is_refused_unless_default():
    body = ('<bpmn:startEvent id="s"/>' + _flow("f1", "s", "g") + '<bpmn:exclusiveGateway id="g" name="Ok?"/>'
            + _flow("yes", "g", "e", "${ok}") + _flow("no", "g", "e") + '<bpmn:endEvent id="e"/>')
    problem = _only_error(_process(body))
    assert problem.element_id == "no"
    assert "keine Bedingung" in problem.message
    assert _errors(_process(body.replace('name="Ok?"', 'name="Ok?" default="no"'))) == []


def test_task_with_two_outgoing_flows_is_refused():
    body = _linear(f'<bpmn:userTask id="m">{FORM}</bpmn:userTask>') + _flow("f3", "m", "e")
    problem = _only_error(_process(body))
    assert problem.element_id == "m"
    assert "2 ausgehende" in problem.message


def _laned(lane_name: str, lane_id: str = "Lane_1") -> str:
    lanes = (f'<bpmn:laneSet id="ls"><bpmn:lane id="{lane_id}" name="{lane_name}">'
             '<bpmn:flowNodeRef>m</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
    return _process(lanes + VALID)


def test_a_lane_that_is_no_known_office_becomes_a_candidate_group_with_a_warning():
    problems = validate_bundle({"p.bpmn": _laned("Irgendwer")}, known_offices={"abh", "kim_cm"})
    [warning] = [problem for problem in problems if problem.element_id == "Lane_1"]
    assert warning.severity == "warning" and warning.file == "p.bpmn"
    assert "Kandidatengruppe »Irgendwer«" in warning.message
    assert _errors(_laned("Irgendwer"), known_offices={"abh", "kim_cm"}) == []


def _caller(process_id: str, called: str) -> str:
    call = f'<bpmn:callActivity id="call_{called}" calledElement="{called}"/>'
    body = ('<bpmn:startEvent id="s"/>' + _flow("f1", "s", f"call_{called}") + call
            + _flow("f2", f"call_{called}", "e") + '<bpmn:endEvent id="e"/>')
    return _process(body).replace('id="p"', f'id="{process_id}"')


def test_a_process_that_calls_itself_is_refused_naming_file_and_call_activity():
    problems = [p for p in validate_bundle({"self.bpmn": _caller("loop", "loop")}) if p.severity == "error"]
    [problem] = [p for p in problems if "zurück" in p.message]
    assert (problem.file, problem.element_id) == ("self.bpmn", "call_loop")
    assert "loop → loop" in problem.message


def test_two_processes_calling_each_other_are_refused():
    files = {"a.bpmn": _caller("a", "b"), "b.bpmn": _caller("b", "a")}
    problems = [p for p in validate_bundle(files) if "zurück" in p.message]
    assert {(p.file, p.element_id) for p in problems} == {("a.bpmn", "call_b"), ("b.bpmn", "call_a")}


@pytest.mark.parametrize(("name", "lane_id"), [("abh", "L"), ("Ausländerbehörde (abh)", "L"), ("ABH", "abh")])
def test_lanes_following_the_convention_are_accepted(name, lane_id):
    assert _errors(_laned(name, lane_id), known_offices={"abh"}) == []


def test_invalid_form_is_reported_on_the_user_task():
    form = ('<bpmn:extensionElements><camunda:formData><camunda:formField id="x" type="currency"/>'
            '</camunda:formData></bpmn:extensionElements>')
    problem = _only_error(_process(_linear(f'<bpmn:userTask id="m">{form}</bpmn:userTask>')))
    assert problem.element_id == "m"
    assert "Feldtyp »currency«" in problem.message


@pytest.mark.parametrize(("timer", "fragment"), [
    ("P14X", "kein gültiger ISO-8601-Wert"), ("0 0 9 * * ?", "Cron"), ("${frist +}", "ungültig"),
    ("", "kein Zeitwert"),
])
def test_broken_timers_are_refused(timer, fragment):
    middle = (f'<bpmn:intermediateCatchEvent id="m"><bpmn:timerEventDefinition id="t">'
              f'<bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>'
              '</bpmn:intermediateCatchEvent>')
    problem = _only_error(_process(_linear(middle)))
    assert fragment in problem.message
    assert problem.element_id == "m"


def test_condition_that_does_not_compile_is_refused_with_the_original_text():
    body = ('<bpmn:startEvent id="s"/>' + _flow("f1", "s", "g") + '<bpmn:exclusiveGateway id="g" name="?" '
            'default="no"/>' + _flow("yes", "g", "e", "${ok &amp;&amp;}") + _flow("no", "g", "e")
            + '<bpmn:endEvent id="e"/>')
    problem = _only_error(_process(body))
    assert problem.element_id == "yes"
    assert "${ok &&}" in problem.message


def test_condition_in_another_language_is_refused():
    body = ('<bpmn:startEvent id="s"/>' + _flow("f1", "s", "g") + '<bpmn:exclusiveGateway id="g" name="?" '
            'default="no"/><bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="e"><bpmn:conditionExpression '
            'language="groovy">ok</bpmn:conditionExpression></bpmn:sequenceFlow>' + _flow("no", "g", "e")
            + '<bpmn:endEvent id="e"/>')
    assert "»groovy«" in _only_error(_process(body)).message


def test_script_in_another_language_is_refused():
    middle = ('<bpmn:scriptTask id="m" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>'
              "</bpmn:scriptTask>")
    assert "»groovy«" in _only_error(_process(_linear(middle))).message


def test_python_script_with_a_syntax_error_is_refused():
    middle = ('<bpmn:scriptTask id="m" scriptFormat="python"><bpmn:script>x = (</bpmn:script>'
              "</bpmn:scriptTask>")
    assert "Python-Fehler" in _only_error(_process(_linear(middle))).message


def test_business_rule_task_without_decision_ref_is_refused():
    problem = _only_error(_process(_linear('<bpmn:businessRuleTask id="m"/>')))
    assert "decisionRef fehlt" in problem.message


def test_decision_ref_that_does_not_resolve_is_refused():
    middle = '<bpmn:businessRuleTask id="m" camunda:decisionRef="fehlt"/>'
    problem = _only_error(_process(_linear(middle)))
    assert "»fehlt«" in problem.message
    assert problem.element_id == "m"


@pytest.mark.parametrize(("definition", "what"), [
    ('<bpmn:messageEventDefinition id="x" messageRef="M_fehlt"/>', "Nachricht »M_fehlt«"),
    ('<bpmn:signalEventDefinition id="x" signalRef="S_fehlt"/>', "Signal »S_fehlt«"),
])
def test_undefined_event_references_are_refused(definition, what):
    middle = f'<bpmn:intermediateCatchEvent id="m">{definition}</bpmn:intermediateCatchEvent>'
    problem = _only_error(_process(_linear(middle)))
    assert what in problem.message


def test_undefined_error_reference_on_a_boundary_event_is_refused():
    body = _linear(f'<bpmn:userTask id="m">{FORM}</bpmn:userTask>') + (
        '<bpmn:boundaryEvent id="b" attachedToRef="m"><bpmn:errorEventDefinition id="x" errorRef="E"/>'
        '</bpmn:boundaryEvent>' + _flow("f9", "b", "e"))
    assert "Fehler »E«" in _only_error(_process(body)).message


@pytest.mark.parametrize("reserved", ["Start", "End", "Root", "p.EndJoin", "m.BoundaryEventSplit"])
def test_ids_reserved_by_the_engine_are_refused(reserved):
    body = _process(VALID).replace('id="e"', f'id="{reserved}"')
    body = body.replace('targetRef="e"', f'targetRef="{reserved}"')
    problem = _only_error(body)
    assert problem.element_id == reserved
    assert "reserviert" in problem.message


def test_bundle_without_executable_process_is_refused():
    assert "ausführbar" in _only_error(_process(VALID, executable="false")).message


def test_call_activity_to_a_process_outside_the_bundle_is_refused():
    problem = _only_error(_process(_linear('<bpmn:callActivity id="m" calledElement="anderer"/>')))
    assert "»anderer« ist nicht im Paket" in problem.message


def test_a_decision_requirements_graph_with_several_decisions_is_accepted():
    dmn = ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">'
           '<decision id="a" name="a"><literalExpression><text>1 + 1</text></literalExpression></decision>'
           '<decision id="b" name="b"><informationRequirement><requiredDecision href="#a"/>'
           '</informationRequirement><literalExpression><text>a * 2</text></literalExpression></decision>'
           "</definitions>")
    assert _errors(dmn, name="x.dmn") == []


def test_every_hit_policy_is_accepted():
    dmn = ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">'
           '<decision id="a" name="a"><decisionTable id="t1" hitPolicy="COLLECT" aggregation="SUM">'
           '<input id="i"><inputExpression><text>n</text></inputExpression></input><output id="o" name="o"/>'
           '<rule id="r"><inputEntry id="e"><text>&gt; 1</text></inputEntry>'
           '<outputEntry id="x"><text>2</text></outputEntry></rule></decisionTable></decision></definitions>')
    assert _errors(dmn, name="x.dmn") == []


def test_a_feel_syntax_error_names_its_cell():
    dmn = ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">'
           '<decision id="a" name="Dringlichkeit"><decisionTable id="t1">'
           '<input id="i" label="Tage"><inputExpression><text>n</text></inputExpression></input>'
           '<output id="o" name="o"/><rule id="r"><inputEntry id="e"><text>&gt;= &lt;&lt; 3</text></inputEntry>'
           '<outputEntry id="x"><text>2</text></outputEntry></rule></decisionTable></decision></definitions>')
    message = _only_error(dmn, name="x.dmn").message
    assert "Regel 1" in message and "FEEL" in message


def test_spiffworkflow_rejections_become_problems():
    body = _linear(f'<bpmn:userTask id="m">{FORM}<bpmn:dataInputAssociation id="di"><bpmn:sourceRef>nix'
                   '</bpmn:sourceRef></bpmn:dataInputAssociation></bpmn:userTask>')
    problem = _only_error(_process(body))
    assert problem.message.startswith("Der Prozess konnte nicht gelesen werden")


def test_dangling_node_is_a_warning():
    body = VALID + f'<bpmn:userTask id="lose" name="Lose">{FORM}</bpmn:userTask>'
    warnings = [w for w in _warnings(_process(body)) if w.element_id == "lose"]
    assert len(warnings) == 2


def test_event_subprocess_is_not_dangling():
    inner = ('<bpmn:startEvent id="es"><bpmn:timerEventDefinition id="t"><bpmn:timeDuration>P1D'
             '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>' + _flow("g1", "es", "ee")
             + '<bpmn:endEvent id="ee"/>')
    body = VALID + f'<bpmn:subProcess id="sub" triggeredByEvent="true">{inner}</bpmn:subProcess>'
    assert _warnings(_process(body)) == []


def test_unlabeled_splitting_gateway_is_a_warning():
    body = ('<bpmn:startEvent id="s"/>' + _flow("f1", "s", "g")
            + '<bpmn:exclusiveGateway id="g" default="no"/>' + _flow("yes", "g", "e", "${ok}")
            + _flow("no", "g", "e") + '<bpmn:endEvent id="e"/>')
    assert [w.element_id for w in _warnings(_process(body))] == ["g"]


def test_two_blank_start_events_are_a_warning():
    body = VALID + '<bpmn:startEvent id="s2"/>' + _flow("f9", "s2", "m")
    assert [w.element_id for w in _warnings(_process(body))] == ["s2"]


def test_user_task_without_form_is_a_warning():
    warnings = _warnings(_process(_linear('<bpmn:userTask id="m"/>')))
    assert [(w.element_id, w.message) for w in warnings] == [("m", "Benutzeraufgabe »m« hat kein Formular.")]


DMN_HEAD = '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"><decision id="a">'


@pytest.mark.parametrize(("table", "fragment"), [
    ('<decisionTable id="t"><input id="i"/><output id="o"/><rule id="r"><inputEntry id="e"/>'
     '<outputEntry id="x"><text>1</text></outputEntry></rule></decisionTable>', "fehlt ihr Text"),
    ('<decisionTable id="t"><input id="i"/><output id="o"/><rule id="r">'
     '<outputEntry id="x"><text>1</text></outputEntry></rule></decisionTable>', "nicht genau 1 Eingabe"),
])
def test_malformed_decision_tables_are_refused_with_a_reason(table, fragment):
    problem = _only_error(f"{DMN_HEAD}{table}</decision></definitions>", name="x.dmn")
    assert fragment in problem.message


def test_non_numeric_diagram_coordinates_are_refused():
    diagram = ('<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
               'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="di"><bpmndi:BPMNPlane id="pl">'
               '<bpmndi:BPMNShape id="shape" bpmnElement="m"><dc:Bounds x="zehn" y="1"/></bpmndi:BPMNShape>'
               "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    problem = _only_error(_process(VALID, extra=diagram))
    assert problem.element_id == "shape"
    assert "keine Zahl" in problem.message


def test_randomly_damaged_diagrams_never_cause_an_unexpected_error():
    rng = random.Random(7)
    sources = [path.read_bytes() for path in sorted(FIXTURES.iterdir())]
    for _round in range(150):
        root = etree.fromstring(rng.choice(sources))
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e.getparent() is not None]
        for element in rng.sample(elements, 2):
            if rng.random() < 0.5 and element.getparent() is not None:
                element.getparent().remove(element)
            elif element.attrib:
                del element.attrib[rng.choice(list(element.attrib))]
        problems = validate_bundle({"x.dmn" if "DMN" in root.tag else "x.bpmn": etree.tostring(root)})
        assert not [p for p in problems if p.message.startswith("Unerwarteter")], problems


SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'


def test_a_service_task_without_any_implementation_is_refused_naming_file_and_element():
    problem = _only_error(_process(_linear('<bpmn:serviceTask id="m" name="Adresse prüfen"/>')),
                          name="adresse.bpmn")
    assert (problem.file, problem.element_id) == ("adresse.bpmn", "m")
    assert "»Adresse prüfen« hat keine Implementierung" in problem.message


@pytest.mark.parametrize("implementation", [
    'camunda:type="external" camunda:topic="adresse"', 'camunda:delegateExpression="${adresse}"',
    'camunda:expression="${adresse.pruefen()}"', 'camunda:class="de.kim.Adresse"',
])
def test_a_service_task_with_a_topic_delegate_expression_or_class_is_accepted(implementation):
    assert _errors(_process(_linear(f'<bpmn:serviceTask id="m" {implementation}/>'))) == []


def test_a_service_task_naming_its_handler_in_an_extension_property_is_accepted():
    handler = ('<bpmn:extensionElements><camunda:properties><camunda:property name="handler" value="adresse"/>'
               '</camunda:properties></bpmn:extensionElements>')
    assert _errors(_process(_linear(f'<bpmn:serviceTask id="m">{handler}</bpmn:serviceTask>'))) == []


@pytest.mark.parametrize("tag, kind", [("preScript", "Vorskript"), ("postScript", "Nachskript")])
def test_spiffarena_pre_and_post_scripts_are_refused_instead_of_dropped(tag, kind):
    script = (f"<bpmn:extensionElements><spiffworkflow:{tag}>x = 1</spiffworkflow:{tag}>"
              "</bpmn:extensionElements>")
    xml = _process(_linear(f'<bpmn:userTask id="m" name="Prüfen">{script}</bpmn:userTask>'))
    problem = _only_error(xml.replace(' id="d">', f' {SPIFF} id="d">', 1))
    assert problem.element_id == "m"
    assert f"SpiffArena-{kind} (spiffworkflow:{tag}) wird von kimflow nicht ausgeführt" in problem.message
