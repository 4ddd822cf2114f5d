"""The population of the HTTP benchmark: the district's units and clerks, real instances and bulk open tasks.

Real instances (started through the engine, a two-task process of the Sozialamt) serve the task page
and submit; the rest of the open tasks are bulk-inserted copies spread round robin over every unit of
the district (so the clerk's unit holds about one in twenty), one in three with a due date, one in ten
claimed by a colleague. A case with a timeline serves the case file.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, insert, select, text

from bench.engine_measures import PROCESS_ID, deploy_two_tasks
from engine.core.actors import Actor
from engine.identity import org, service_accounts
from engine.identity.models import Unit
from engine.service.engine import ProcessEngine
from engine.store.models import HumanTask, ProcessInstance
from workflows.cases import files as cases
from workflows.seed import seed_units

PASSWORD = "bench-passwort-42"
CLERK, MANAGER, CLERK_UNIT = "b.sozial", "b.manager", "sozialamt_neuss"
SYSTEM = Actor.system_actor("bench")
CHUNK = 5000
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def seed(engine: ProcessEngine, real_instances: int) -> tuple[list[int], str]:
    """Create units, the clerk and the manager, `real_instances` real instances and one case."""
    with engine.db.unit_of_work() as session:
        seed_units(session)
        org.create_user(session, CLERK, "Bea Sozial", PASSWORD, actor="bench", role="staff")
        org.add_membership(session, CLERK, CLERK_UNIT, actor="bench")
        org.create_user(session, MANAGER, "Ben Manager", PASSWORD, actor="bench", role="manager")
        case_ref = cases.open_case(session, actor="bench", area="neuss", given_name="Amina", family_name="Haddad",
                                   birth_date=dt.date(1991, 4, 12), nationality="syrisch").case_ref
    deploy_two_tasks(engine)
    started = [engine.start(PROCESS_ID, actor=SYSTEM, data={"applicant": "A. Beispiel"}, case_ref=case_ref)
               for _ in range(real_instances)]
    return started, case_ref


def api_headers(app) -> dict[str, str]:
    """Return the bearer header of a service account of the clerk's unit that may start and complete."""
    with app.extensions["kimflow"].db.unit_of_work() as session:
        account = service_accounts.create_account(session, f"bench-{uuid.uuid4().hex[:8]}", units=[CLERK_UNIT],
                                                  verbs=["start", "tasks"], actor="bench")
        token = service_accounts.issue_token(session, account.id, actor="bench")
    return {"Authorization": f"Bearer {token}"}


def _units(engine: ProcessEngine) -> list[tuple[str, str]]:
    with engine.db.reading() as session:
        return [(u.code, u.office) for u in session.scalars(select(Unit).order_by(Unit.code))]


def populate(engine: ProcessEngine, target_open: int) -> int:
    """Bulk-insert open tasks (each with its running instance) until `target_open` are open; return how many."""
    db = engine.db
    units = _units(engine)
    with db.unit_of_work() as session:
        open_now = session.scalar(select(func.count()).where(HumanTask.status.in_(("open", "claimed")))) or 0
        missing = max(target_open - open_now, 0)
        template = session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == PROCESS_ID)).first()
        assert template is not None, "seed() first"
        first = (session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        for offset in range(0, missing, CHUNK):
            numbers = range(first + offset, first + min(offset + CHUNK, missing))
            session.execute(insert(ProcessInstance.__table__), [_instance(template, n) for n in numbers])
            session.execute(insert(HumanTask.__table__), [_task(n, units[n % len(units)]) for n in numbers])
        if db.is_postgres:
            session.execute(text("SELECT setval(pg_get_serial_sequence('process_instance', 'id'), "
                                 "(SELECT max(id) FROM process_instance))"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.is_postgres else "ANALYZE"))
    return missing


def _instance(template: ProcessInstance, number: int) -> dict:
    started = EPOCH - dt.timedelta(minutes=(number * 7919) % 525_600)
    return {"id": number, "process_id": template.process_id, "definition_version_id": template.definition_version_id,
            "version": template.version, "business_key": f"BK-{number:07d}", "case_ref": f"K-2026-{number % 99999:05d}",
            "status": "running", "revision": 1, "state": template.state, "summary": {}, "started_by": "bench",
            "started_at": started, "updated_at": started}


def _task(number: int, unit: tuple[str, str]) -> dict:
    created = EPOCH - dt.timedelta(minutes=(number * 7919) % 525_600)
    claimed = number % 10 == 0
    return {"id": str(uuid.uuid4()), "instance_id": number, "process_id": PROCESS_ID, "element_id": "task_0",
            "name": "Aufgabe 0", "office": unit[1], "unit": unit[0], "area": None, "case_ref": None,
            "business_key": f"BK-{number:07d}", "candidate_users": [], "assignee": None,
            "claimed_by": "kollegin" if claimed else None, "claimed_at": created if claimed else None,
            "due_at": created + dt.timedelta(days=14) if number % 3 == 0 else None, "follow_up_at": None,
            "priority": 50, "status": "claimed" if claimed else "open", "created_at": created,
            "completed_at": None, "completed_by": None}
