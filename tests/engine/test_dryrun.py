"""Dry runs: the designer's inputs pick the path, in memory, without creating cases."""

from sqlalchemy import func, select

from engine.runtime.dryrun import Scenario, dry_run
from engine.store.models import ProcessInstance
from tests.bpmn_builder import build, user
from tests.conftest import fixture_files

FILES = fixture_files("two_tasks.bpmn")


def test_form_inputs_for_each_user_task_pick_the_path_to_the_end():
    result = dry_run(FILES, Scenario(tasks={"record": {"amount": "250"}, "decide": {"approved": "on"}}))
    assert result.visited == ["start_event", "record", "gw", "decide", "end_ok"]
    assert result.completed and result.end_events == ["end_ok"]
    assert result.data == {"amount": 250, "note": None, "approved": True}


def test_another_input_takes_the_default_flow():
    result = dry_run(FILES, Scenario(tasks={"record": {"amount": 5}}))
    assert "decide" not in result.visited and result.end_events == ["end_small"]


def test_a_task_without_inputs_is_where_the_run_waits():
    result = dry_run(FILES, Scenario(tasks={"record": {"amount": 250}}))
    assert not result.completed
    assert "decide" in result.waiting_at


def test_a_listed_timer_fires_and_takes_the_boundary_path():
    result = dry_run(FILES, Scenario(tasks={"record": {"amount": 250}}, timers=["wait"]))
    assert result.visited[-2:] == ["wait", "end_small"]


def test_invalid_form_inputs_stop_the_run_with_a_german_message_on_the_task():
    result = dry_run(FILES, Scenario(tasks={"record": {"amount": "viel"}}))
    assert result.errors[0].element_id == "record"
    assert "Bitte eine ganze Zahl eingeben" in result.errors[0].message


def test_a_diagram_with_errors_reports_its_problems_instead_of_running():
    broken = {"x.bpmn": b"<definitions"}
    assert dry_run(broken, Scenario()).errors


def test_scripts_see_the_registered_functions_and_services_are_simulated():
    xml = build("p", [("start", "s"), ("script", "calc", "total = double(amount)"),
                      ("service", "mail", "send_mail"), ("end", "e")],
                [("s", "calc"), ("calc", "mail"), ("mail", "e")])
    result = dry_run({"p.bpmn": xml}, Scenario(start={"amount": 4}, services={"mail": {"sent": True}}),
                     functions={"double": lambda x: 2 * x})
    assert result.completed and result.data["total"] == 8 and result.data["sent"] is True
    assert [s.note for s in result.path if s.element_id == "mail"] == ["simuliert"]


def test_a_list_of_inputs_is_used_once_per_visit_of_a_task_in_a_loop():
    xml = build("loop", [("start", "s"), user("ask", "Fragen", "kim_cm", [("again", "boolean", "Nochmal")]),
                         ("xor", "gw", "f_out"), ("end", "e")],
                [("s", "ask"), ("ask", "gw"), ("gw", "ask", "again"), ("gw", "e")])
    xml = xml.replace('id="flow_3"', 'id="f_out"').replace('default="f_out"', 'default="f_out"')
    result = dry_run({"loop.bpmn": xml}, Scenario(tasks={"ask": [{"again": True}, {"again": False}]}))
    assert result.visited.count("ask") == 2 and result.completed


def test_a_dry_run_creates_no_instance(engine, db, system):
    engine.deploy(FILES, actor=system)
    dry_run(FILES, Scenario(tasks={"record": {"amount": 250}, "decide": {}}))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
