"""A demo-like state for web tests: the district's units, clerks and a benefit transfer waiting at the Sozialamt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.bpmn.forms import Form
from engine.core.actors import Actor
from engine.identity import org
from engine.read import lists as queries
from engine.service import jobs
from engine.service.engine import ProcessEngine
from workflows.cases import files as cases
from workflows.library import library_files
from workflows.seed import seed_units

PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("scenario")
CLERKS = {  # username -> (display name, role, units)
    "s.sozial": ("Sabine Sozial", "staff", ("sozialamt_neuss",)),
    "s.kollege": ("Stefan Kollege", "staff", ("sozialamt_neuss",)),
    "j.center": ("Jana Center", "staff", ("jobcenter_rkn",)),
    "k.kaarst": ("Karl Kaarst", "staff", ("sozialamt_kaarst",)),
    "f.fall": ("Fiona Fall", "staff", ("kim_cm_neuss",)),
    "a.abh": ("Anton Abh", "staff", ("abh_neuss",)),
    "m.manager": ("Maria Manager", "manager", ()),
    "d.designer": ("Dirk Designer", "designer", ()),
    "admin": ("Ada Admin", "admin", ()),
}


@dataclass
class Scenario:
    case_ref: str
    instance_id: int
    sozialamt_task: str


def sample_value(field):
    """Return a valid value for a form field (required fields only; others keep their default)."""
    if field.type == "date":
        return "2026-03-02"
    if field.type == "long":
        return int(field.min) if field.min is not None else 1
    if field.type == "enum":
        return field.options[0][0]
    if field.type == "boolean":
        return True
    return "Vermerk"


def fill(form: Form | None, **values) -> dict:
    """Return data that passes the form: the given values plus samples for other required fields."""
    data = {}
    for field in form.fields if form else []:
        if field.readonly:
            continue
        if field.id in values:
            data[field.id] = values[field.id]
        elif field.required or field.type == "boolean":
            data[field.id] = sample_value(field)
    return data


def complete(engine: ProcessEngine, instance_id: int, element_id: str, **values) -> None:
    """Complete the open task `element_id` of an instance as the system."""
    task = _open(engine, instance_id, element_id)
    form, _data = engine.task_form(task.id)
    engine.complete(task.id, actor=SYSTEM, data=fill(form, **values))


def _open(engine: ProcessEngine, instance_id: int, element_id: str):
    with engine.db.reading() as session:
        tasks = queries.open_tasks(session, instance_id=instance_id)
    matches = [t for t in tasks if t.element_id == element_id]
    assert matches, f"{element_id} is not open; open: {[t.element_id for t in tasks]}"
    return matches[0]


def seed_people(engine: ProcessEngine) -> None:
    """Create the district's units and one clerk per role used by the tests."""
    with engine.db.unit_of_work() as session:
        seed_units(session)
        for username, (name, role, units) in CLERKS.items():
            org.create_user(session, username, name, PASSWORD, actor="scenario", role=role)
            for unit in units:
                org.add_membership(session, username, unit, actor="scenario")


def benefit_transfer_at_sozialamt(engine: ProcessEngine) -> Scenario:
    """Run a Neuss benefit transfer until only the Sozialamt's "end AsylbLG" task blocks the Jobcenter."""
    files = {k: v for k, v in library_files().items() if k.endswith(".dmn") or k == "benefit_transfer.bpmn"}
    engine.deploy(files, actor=SYSTEM)
    with engine.db.unit_of_work() as session:
        case = cases.open_case(session, actor="scenario", area="neuss", given_name="Amina", family_name="Haddad",
                               birth_date=dt.date(1991, 4, 12), nationality="syrisch")
        case_ref = case.case_ref
    [instance_id] = engine.correlate("bamf_decision_served", actor=SYSTEM, case_ref=case_ref, payload={})
    complete(engine, instance_id, "record_decision", protection_type="refugee_3", municipality="neuss",
             household_size=1, protected_members=1, able_to_work=True, decision_date="2026-02-20",
             service_date="2026-02-23")
    complete(engine, instance_id, "issue_provisional_certificate")
    complete(engine, instance_id, "check_residence_obligation", residence_obligation_applies=False)
    jobs.run_due_jobs(engine, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=40))
    complete(engine, instance_id, "issue_residence_permit")
    complete(engine, instance_id, "help_file_application")
    task = _open(engine, instance_id, "end_asylblg")
    return Scenario(case_ref, instance_id, task.id)
