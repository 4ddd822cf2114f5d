"""Fixtures for the KIM integration: the engine with the KIM extensions, the library deployed, the district seeded."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from engine.core.actors import Actor
from engine.service.engine import ProcessEngine
from engine.store.models import HumanTask, ProcessInstance
from workflows.demo import forms as demo_forms
from workflows.library import deploy_library
from workflows.seed import seed_units
from workflows.setup import build_extensions

SYSTEM = Actor.system_actor("test")


def seed_kim(database) -> None:
    """Deploy the process library and seed the district's units (once per run, into a template)."""
    deploy_library(ProcessEngine(database, build_extensions()), actor=SYSTEM)
    with database.unit_of_work() as session:
        seed_units(session)


@pytest.fixture
def kim(db, restore_template) -> ProcessEngine:
    """Return an engine with the KIM extensions, the process library deployed and the district seeded.

    The deployment and seeding are made once per run and copied in per test (each test gets its own copy).
    """
    restore_template("kim", seed_kim)
    return ProcessEngine(db, build_extensions())


def open_tasks(engine: ProcessEngine, case_ref: str) -> list[HumanTask]:
    """Return the case's open tasks, oldest first."""
    with engine.db.reading() as session:
        return list(session.scalars(select(HumanTask).where(
            HumanTask.case_ref == case_ref, HumanTask.status.in_(("open", "claimed")))
            .order_by(HumanTask.created_at, HumanTask.id)))


def task(engine: ProcessEngine, case_ref: str, element_id: str) -> HumanTask:
    """Return the case's one open task of `element_id`."""
    found = [t for t in open_tasks(engine, case_ref) if t.element_id == element_id]
    assert len(found) == 1, f"{element_id} not open; open: {[t.element_id for t in open_tasks(engine, case_ref)]}"
    return found[0]


def complete(engine: ProcessEngine, case_ref: str, element_id: str, **values) -> HumanTask:
    """Complete the case's open `element_id` with `values`, other required fields filled generically."""
    human = task(engine, case_ref, element_id)
    form, _ = engine.task_form(human.id)
    data = demo_forms.fill(form, values, dt.date.today(), random.Random(1))
    engine.complete(human.id, actor=SYSTEM, data=data)
    return human


def start_case(engine: ProcessEngine, municipality: str, **person) -> str:
    """Start a kim_case for a resident of `municipality` and return its case reference."""
    data = {"given_name": "Test", "family_name": "Person", "municipality": municipality, **person}
    instance_id = engine.start("kim_case", actor=SYSTEM, data=data)
    with engine.db.reading() as session:
        return session.get(ProcessInstance, instance_id).case_ref


REFERRAL = {"source": "office", "language": "Arabisch", "concern": "Aufenthalt und Arbeit", "problem_area_count": 4,
            "offices_involved": 3, "standard_services_failing": True, "lacks_resources": True,
            "other_case_management": False}
CONSENT = {"consent_given": True, "revocation_explained": True, "consent_abh": True, "consent_jobcenter": True,
           "consent_sozialamt": True, "consent_ebh": True, "consent_categories": "Aufenthalt, Leistungen"}
ALL_REQUESTS = {f"request_{o}": True for o in ("abh", "jobcenter", "sozialamt", "ebh")}


def to_monitoring(engine: ProcessEngine, case_ref: str, municipality: str, *, requests: dict | None = None,
                  assessment: dict | None = None) -> None:
    """Walk a case from referral through consent, assessment and plan (requests as given)."""
    complete(engine, case_ref, "record_referral", municipality=municipality, **REFERRAL)
    complete(engine, case_ref, "record_consent", **CONSENT)
    complete(engine, case_ref, "assessment", **{"residence_title": "aufenthaltserlaubnis", "benefits_type": "sgb2",
                                                **(assessment or {})})
    complete(engine, case_ref, "integration_plan", goal_area="work", goal_target="Arbeit", goal_priority="high",
             **(requests or {}))
