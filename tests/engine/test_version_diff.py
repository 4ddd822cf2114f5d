"""Version diff: elements added, removed and changed between two versions of a process."""

from engine.bpmn.version_diff import diff_versions
from tests.conftest import fixture_files

OLD = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
INSERT = ('<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="check" />'
          '<bpmn:userTask id="check" name="Prüfen" />'
          '<bpmn:sequenceFlow id="f2b" sourceRef="check" targetRef="gw" />')


def _diff(new: str):
    return diff_versions({"p.bpmn": OLD}, {"p.bpmn": new}, "two_tasks")


def test_identical_versions_have_no_differences():
    assert _diff(OLD).empty


def test_an_inserted_task_and_its_flow_are_added_and_its_neighbours_changed():
    diff = _diff(OLD.replace('<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="gw" />', INSERT))
    assert {(e.element_id, e.kind) for e in diff.added} == {("check", "UserTask"), ("f2b", "SequenceFlow")}
    changed = {e.element_id: e.details for e in diff.changed}
    assert "ausgehende Flüsse" in changed["record"] and "Ziel" in changed["f2"]


def test_a_changed_condition_timer_and_priority_are_named_in_german():
    new = OLD.replace("amount &gt;= 100", "amount &gt;= 200").replace('"P14D"', '"P7D"') \
        .replace('camunda:priority="70"', 'camunda:priority="80"')
    changed = {e.element_id: e.details for e in _diff(new).changed}
    assert changed["gw"] == ["Bedingungen"]
    assert changed["f_big"] == ["Bedingung"]
    assert changed["wait"] == ["Ereignis (Timer, Nachricht, Fehler)"]
    assert changed["record"] == ["Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)"]


def test_a_deleted_task_is_removed():
    new = OLD.replace('<bpmn:boundaryEvent id="wait" attachedToRef="decide">', '<!--').replace(
        '</bpmn:boundaryEvent>', '-->').replace('<bpmn:sequenceFlow id="f_timeout" sourceRef="wait" '
                                                'targetRef="end_small" />', '')
    diff = _diff(new.replace("<bpmn:flowNodeRef>wait</bpmn:flowNodeRef>", ""))
    assert {e.element_id for e in diff.removed} == {"wait", "f_timeout"}


def test_flows_of_other_processes_in_the_bundle_are_not_part_of_the_diff():
    other = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode().replace('id="two_tasks"', 'id="andere"') \
        .replace('<bpmn:sequenceFlow id="', '<bpmn:sequenceFlow id="o_').replace('default="', 'default="o_')
    diff = diff_versions({"p.bpmn": OLD, "q.bpmn": other}, {"p.bpmn": OLD}, "two_tasks")
    assert diff.empty


def test_an_unnamed_flow_is_described_by_the_steps_it_connects_and_kinds_are_german():
    diff = _diff(OLD.replace('<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="gw" />', INSERT))
    added = {e.element_id: e for e in diff.added}
    assert added["f2b"].name.startswith("Fluss von »Prüfen« nach")
    assert added["check"].kind_label == "Aufgabe" and added["f2b"].kind_label == "Verbindung"
