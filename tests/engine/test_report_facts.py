"""Completing the KIM tasks records the steering facts the report is built from."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.read.lists import open_tasks
from tests.bpmn_builder import build, user
from workflows.steering.facts import install
from workflows.steering.models import SteeringFact

SOURCES = {"office": "Behörde", "walk_in": "Selbstmelder"}
REASONS = {"goals_met": "Ziele erreicht", "no_contact": "kein Kontakt"}


def mini_case() -> str:
    return build("kim_case", [
        ("start", "s"),
        user("record_referral", "Zuweisung erfassen", "kim_cm",
             [("source", "enum", "Zugang", None, SOURCES), ("municipality", "string", "Kommune")]),
        user("record_consent", "Einwilligung", "kim_cm", [("consent_given", "boolean", "Einwilligung")]),
        user("assessment", "Clearing", "kim_cm", [("residence_title", "string", "Status")]),
        user("request_abh", "Anfrage", "abh", [("abh_outcome", "string", "Ergebnis")]),
        user("close_case", "Abschluss", "kim_cm", [("closure_reason", "enum", "Grund", None, REASONS)]),
        ("end", "e")],
        [("s", "record_referral"), ("record_referral", "record_consent"), ("record_consent", "assessment"),
         ("assessment", "request_abh"), ("request_abh", "close_case"), ("close_case", "e")])


@pytest.fixture
def facts_engine(engine, extensions, system):
    install(extensions)
    engine.deploy({"kim_case.bpmn": mini_case()}, actor=system)
    return engine


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 3, n, 10, tzinfo=dt.UTC)


def complete_next(engine, db, system, instance_id, when, data):
    with db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    with clock.frozen(when):
        engine.complete(task.id, actor=system, data=data)


def recorded(db):
    with db.reading() as session:
        return {f.kind: f for f in session.scalars(select(SteeringFact).order_by(SteeringFact.id))}


def test_a_case_cycle_records_referral_contact_consent_response_and_closure(facts_engine, db, system):
    with clock.frozen(day(1)):
        instance_id = facts_engine.start("kim_case", actor=system, case_ref="KIM-2026-0001")
    complete_next(facts_engine, db, system, instance_id, day(3), {"source": "office", "municipality": "kaarst"})
    complete_next(facts_engine, db, system, instance_id, day(6), {"consent_given": True})
    complete_next(facts_engine, db, system, instance_id, day(7), {"residence_title": "duldung"})
    complete_next(facts_engine, db, system, instance_id, day(27), {"abh_outcome": "done"})
    complete_next(facts_engine, db, system, instance_id, day(28), {"closure_reason": "goals_met"})
    facts = recorded(db)
    assert (facts["case_opened"].category, facts["case_opened"].at, facts["case_opened"].area) == \
        ("office", day(1), "kaarst")
    assert (facts["first_contact"].days, facts["consent"].days) == (2.0, 5.0)
    assert (facts["office_response"].category, facts["office_response"].days,
            facts["office_response"].status) == ("abh", 20.0, "late")
    assert facts["case_closed"].category == "goals_met"
    assert {f.case_key for f in facts.values()} == {"KIM-2026-0001"}


def test_a_refused_consent_records_no_consent_fact(facts_engine, db, system):
    with clock.frozen(day(1)):
        instance_id = facts_engine.start("kim_case", actor=system)
    complete_next(facts_engine, db, system, instance_id, day(2), {"source": "walk_in", "municipality": "neuss"})
    complete_next(facts_engine, db, system, instance_id, day(3), {"consent_given": False})
    assert "consent" not in recorded(db)
    assert recorded(db)["case_opened"].case_key == f"instance:{instance_id}"


def test_a_changed_residence_title_is_a_status_transition(facts_engine, db, system):
    for title in ("duldung", "aufenthaltserlaubnis"):
        with clock.frozen(day(1)):
            instance_id = facts_engine.start("kim_case", actor=system, case_ref="KIM-7")
        complete_next(facts_engine, db, system, instance_id, day(2), {"source": "office", "municipality": "neuss"})
        complete_next(facts_engine, db, system, instance_id, day(3), {"consent_given": True})
        complete_next(facts_engine, db, system, instance_id, day(4), {"residence_title": title})
    assert recorded(db)["status_transition"].category == "duldung>aufenthaltserlaubnis"
