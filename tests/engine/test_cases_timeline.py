"""The case timeline reads as German sentences across offices and processes, oldest first."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.identity import org
from engine.store.models import HumanTask
from tests import bpmn_builder as b
from tests.engine.test_routing import make_staff, routed  # noqa: F401 - fixture
from workflows.cases.consent import record_consent
from workflows.cases.files import add_deadline, complete_deadline, move_case, open_case
from workflows.cases.timeline import case_timeline

pytestmark = pytest.mark.usefixtures("routed")


def at(day, hour=9):
    return clock.frozen(dt.datetime(2026, 3, day, hour, 0, tzinfo=dt.UTC))


def test_the_timeline_tells_the_story_of_a_case(db, engine, system):
    with at(10), db.unit_of_work() as session:
        make_staff(session, {"j.berg": "jobcenter_rkn"})
        org.update_user(session, "j.berg", actor="admin", display_name="Jana Berg")
        ref = open_case(session, actor="j.berg", area="kaarst").case_ref
        record_consent(session, ref, "jobcenter", ["leistungen"], "Antrag", actor="j.berg",
                       valid_from=dt.date(2026, 3, 10))
        deadline = add_deadline(session, ref, "expiry", "Pass läuft ab", dt.date(2026, 8, 1), actor="j.berg").id
    engine.deploy({"antrag.bpmn": b.build("antrag", [("start", "s"), b.user("decide", "Antrag entscheiden",
                                                                             "jobcenter"), ("end", "e")],
                                          [("s", "decide"), ("decide", "e")], name="SGB-II-Antrag")},
                  actor=system)
    with at(11):
        engine.start("antrag", actor=system, case_ref=ref)
    with db.reading() as session:
        task_id = session.scalar(select(HumanTask.id))
        clerk = org.actor_for(session, "j.berg")
    with at(12):
        engine.complete(task_id, actor=clerk, data={})
    with at(13), db.unit_of_work() as session:
        complete_deadline(session, deadline, actor="j.berg")
    with at(14):
        move_case(engine, ref, "neuss", actor=system)
    with db.reading() as session:
        lines = [e.line() for e in case_timeline(session, ref)]
    assert lines == [
        "10.03.2026 — Jana Berg: Fall eröffnet",
        "10.03.2026 — Jana Berg: Einwilligung für Jobcenter Rhein-Kreis Neuss erfasst",
        "10.03.2026 — Jana Berg: Frist „Pass läuft ab“ bis 01.08.2026 eingetragen",
        "11.03.2026 — System: Vorgang „SGB-II-Antrag“ gestartet",
        "11.03.2026 — Jobcenter Rhein-Kreis Neuss: Aufgabe „Antrag entscheiden“ erstellt",
        "12.03.2026 — Jobcenter Rhein-Kreis Neuss: Aufgabe „Antrag entscheiden“ erledigt",
        "12.03.2026 — Jana Berg: Vorgang „SGB-II-Antrag“ abgeschlossen",
        "13.03.2026 — Jana Berg: Frist „Pass läuft ab“ erledigt",
        "14.03.2026 — System: Umzug von Kaarst nach Neuss",
    ]
    with db.reading() as session:
        english = [e.text for e in case_timeline(session, ref, "en")]
    assert english == [
        "Case opened", "Consent for Jobcenter Rhein-Kreis Neuss recorded",
        "Deadline “Pass läuft ab” set for 2026-08-01", "Process “SGB-II-Antrag” started",
        "Task “Antrag entscheiden” created", "Task “Antrag entscheiden” completed",
        "Process “SGB-II-Antrag” completed", "Deadline “Pass läuft ab” met", "Moved from Kaarst to Neuss",
    ]


def test_an_account_without_a_display_name_reads_as_system_never_as_its_account_name(db):
    with at(10), db.unit_of_work() as session:
        make_staff(session, {"svc.fachverfahren": "jobcenter_rkn"})
        org.update_user(session, "svc.fachverfahren", actor="admin", display_name="")
        ref = open_case(session, actor="svc.fachverfahren", area="kaarst").case_ref
    with db.reading() as session:
        lines = [e.line() for e in case_timeline(session, ref)]
    assert lines == ["10.03.2026 — System: Fall eröffnet"]
