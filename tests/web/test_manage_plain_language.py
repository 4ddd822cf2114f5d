"""The management pages name offices, units, municipalities and people, not their codes and user names."""

import re

import pytest

from engine import org
from engine.core.actors import Actor
from engine.read.lists import open_tasks
from tests.bpmn_builder import build, user

SYSTEM = Actor.system_actor("test")


def _process() -> str:
    return build("permit", [("start", "s"), user("check", "Check papers", "abh"), ("end", "e")],
                 [("s", "check"), ("check", "e")], name="Permit")


@pytest.fixture
def instance(services):
    services.engine.deploy({"permit.bpmn": _process()}, actor=SYSTEM)
    return services.engine.start("permit", actor=SYSTEM, business_key="REF-7")


def _task_row(html: str) -> str:
    return re.search(r"<tr><td title=\"check\">.*?</tr>", html, re.S).group(0)


def test_the_instance_page_names_the_office_not_its_code(make_user, login, instance):
    client = login(make_user("chefin", "manager"))
    row = _task_row(client.get(f"/manage/instances/{instance}").get_data(as_text=True))
    assert "Ausländerbehörde" in row and ">abh<" not in row
    client.post("/sprache", data={"lang": "en", "next": "/manage/"})
    row = _task_row(client.get(f"/manage/instances/{instance}").get_data(as_text=True))
    assert "Foreigners&#39; authority" in row and "Ausländerbehörde" not in row


def test_the_instance_page_names_who_works_on_a_task_by_display_name(make_user, login, services, instance):
    make_user("m.schmidt", units=("abh_neuss",), display_name="Maria Schmidt")
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance)
        clerk = org.actor_for(session, "m.schmidt")
    services.engine.claim(task.id, actor=clerk)
    client = login(make_user("chefin", "manager"))
    row = _task_row(client.get(f"/manage/instances/{instance}").get_data(as_text=True))
    assert "Maria Schmidt" in row and "m.schmidt" not in row


def test_the_instance_list_names_units_in_its_filter(make_user, login, instance):
    make_user("m.schmidt", units=("abh_neuss",), display_name="Maria Schmidt")
    client = login(make_user("chefin", "manager"))
    html = client.get("/manage/instances?unit=abh_neuss").get_data(as_text=True)
    option = re.search(r'<option value="abh_neuss"[^>]*>([^<]*)</option>', html)
    assert option and "selected" in option.group(0) and option.group(1) != "abh_neuss"
    listed = client.get("/manage/instances").get_data(as_text=True)
    assert f">Vorgang {instance}</a>" in listed  # the instance's number is labelled


def test_the_instance_list_and_page_name_the_process_not_its_id(make_user, login, instance):
    client = login(make_user("chefin", "manager"))
    listed = client.get("/manage/instances").get_data(as_text=True)
    row = re.search(rf">Vorgang {instance}</a>.*?</tr>", listed, re.S).group(0)
    assert "<td>Permit</td>" in row and ">permit<" not in row
    heading = re.search(r"<h1>(.*?)</h1>", client.get(f"/manage/instances/{instance}").get_data(as_text=True)).group(1)
    assert "Permit" in heading and "permit" not in heading


WAITING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://kimflow">
  <bpmn:process id="waiting" name="Waiting" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:intermediateCatchEvent id="wait_two_weeks" name="Zwei Wochen warten">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_two_weeks" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_two_weeks" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_the_instance_page_names_a_waiting_timer_by_its_name(make_user, login, services):
    services.engine.deploy({"waiting.bpmn": WAITING}, actor=SYSTEM)
    instance_id = services.engine.start("waiting", actor=SYSTEM)
    html = login(make_user("chefin", "manager")).get(f"/manage/instances/{instance_id}").get_data(as_text=True)
    assert "Zwei Wochen warten" in html and "<code>wait_two_weeks</code>" not in html


def test_the_incident_list_names_the_failing_step(make_user, login, services):
    failing = WAITING.replace('id="waiting" name="Waiting"', 'id="failing" name="Failing"').replace(
        '<bpmn:intermediateCatchEvent id="wait_two_weeks" name="Zwei Wochen warten">\n'
        '      <bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition>\n'
        '    </bpmn:intermediateCatchEvent>',
        '<bpmn:scriptTask id="wait_two_weeks" name="Frist berechnen" scriptFormat="python">'
        '<bpmn:script>frist = 1 / 0</bpmn:script></bpmn:scriptTask>')
    services.engine.deploy({"failing.bpmn": failing}, actor=SYSTEM)
    services.engine.start("failing", actor=SYSTEM)
    html = login(make_user("chefin", "manager")).get("/manage/incidents").get_data(as_text=True)
    table = re.search(r'<table class="data" id="incident-table">.*?</table>', html, re.S).group(0)
    assert "Frist berechnen" in table and ">wait_two_weeks<" not in table


def test_a_message_the_instance_waits_for_links_to_recording_it_for_those_who_may(make_user, login, services):
    import datetime as dt

    from workflows.cases import files as cases

    waiting = build("answer", [("start", "s"), ("msg_catch", "agency", "ba_antwort"), ("end", "e")],
                    [("s", "agency"), ("agency", "e")])
    services.engine.deploy({"answer.bpmn": waiting}, actor=SYSTEM)
    with services.db.unit_of_work() as session:
        ref = cases.open_case(session, actor="test", area="neuss", given_name="Amina", family_name="Haddad",
                              birth_date=dt.date(1991, 4, 12)).case_ref
    instance_id = services.engine.start("answer", actor=SYSTEM, case_ref=ref)
    link = f'href="/faelle/{ref}/eingang"'
    assert link in login(make_user("root", "admin")).get(f"/manage/instances/{instance_id}").get_data(as_text=True)
    assert link not in login(make_user("chefin", "manager")).get(f"/manage/instances/{instance_id}").get_data(
        as_text=True)
