"""Task data keeps its Python types across save and load; what cannot be stored or never stops is an incident."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import select

from engine.runtime.serialization import KimflowWorkflow
from engine.service.engine import ProcessEngine
from engine.store.models import AuditEvent, HumanTask, Incident
from tests.bpmn_builder import build, user

VALUES = {"born": dt.date(1990, 5, 17), "seen": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
          "opens": dt.time(8, 30), "amount": Decimal("12.50"), "tags": {"a", "b"},
          "span": dt.timedelta(days=2, microseconds=5)}


def test_dates_decimals_sets_and_spans_come_back_with_their_types_on_a_fresh_engine(db, extensions, system):
    diagram = build("typed", [("start", "s"), user("look", "Ansehen", "kim_cm"), ("end", "e")],
                    [("s", "look"), ("look", "e")])
    ProcessEngine(db, extensions).deploy({"typed.bpmn": diagram}, actor=system)
    instance_id = ProcessEngine(db, extensions).start("typed", actor=system, data=VALUES)
    data = ProcessEngine(db, extensions).show(instance_id).data
    assert {key: data[key] for key in VALUES} == VALUES
    assert all(type(data[key]) is type(value) for key, value in VALUES.items())


def test_a_script_value_that_cannot_be_stored_is_an_incident_naming_the_variable_not_its_value(engine, system, db):
    diagram = build("odd", [("start", "s"), ("script", "make", "r = range(3)"), user("u", "Weiter", "kim_cm"),
                            ("end", "e")], [("s", "make"), ("make", "u"), ("u", "e")])
    engine.deploy({"odd.bpmn": diagram}, actor=system)
    view = engine.show(engine.start("odd", actor=system))
    assert view.status == "error" and "'r' (range)" in view.error_message
    with db.reading() as session:
        assert session.scalars(select(Incident)).one().element_id == view.error_element
        messages = [json.dumps(event.details, default=str) for event in session.scalars(select(AuditEvent))]
    assert not any("range(0, 3)" in message for message in messages)


def _endless_loop() -> str:
    return build("spin", [("start", "s"), ("script", "inc", "i = 1"), ("xor", "again", "flow_3"), ("end", "e")],
                 [("s", "inc"), ("inc", "again"), ("again", "inc", "True"), ("again", "e")])


def test_an_endless_script_loop_exhausts_the_step_budget_and_becomes_an_incident(engine, system, db, monkeypatch):
    monkeypatch.setattr(KimflowWorkflow, "step_budget", 300)
    engine.deploy({"spin.bpmn": _endless_loop()}, actor=system)
    view = engine.show(engine.start("spin", actor=system))
    assert view.status == "error" and "Schrittbudget" in view.error_message
    with db.reading() as session:
        assert session.scalars(select(HumanTask)).first() is None


def test_a_loop_that_runs_too_long_says_so(engine, system, db, monkeypatch):
    monkeypatch.setattr(KimflowWorkflow, "time_budget", 0.0)
    engine.deploy({"spin.bpmn": _endless_loop()}, actor=system)
    view = engine.show(engine.start("spin", actor=system))
    assert view.status == "error" and "länger als 0 s ohne Halt" in view.error_message
