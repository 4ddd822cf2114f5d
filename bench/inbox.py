"""Read side: the inbox page (first 50 open tasks of one office, with the total) at many open instances.

Starting 100,000 instances through the engine would take minutes, so the population is bulk-inserted:
each open instance is a `process_instance` row (the state JSON of a real instance started by the engine,
status running) with its open `human_task` row, and every second instance also has the completed task
before it, as a two-task process halfway through would. Tasks are spread round robin over the six KIM
offices, created over the past year, one in ten claimed, one in three with a due date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from sqlalchemy import func, insert, select, text

from bench.engine_measures import PROCESS_ID
from bench.timing import Stats, measure
from engine.read import lists as queries
from engine.store.db import Database
from engine.store.models import HumanTask, ProcessInstance

OFFICES = ("kim_cm", "kim_coord", "abh", "ebh", "jobcenter", "sozialamt")
INBOX_OFFICE = "abh"
CHUNK = 5000
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def open_instances(db: Database) -> int:
    """Count the running instances."""
    with db.reading() as session:
        return session.scalar(select(func.count()).where(ProcessInstance.status == "running")) or 0


def _instance_rows(template: ProcessInstance, first: int, count: int) -> list[dict]:
    rows = []
    for number in range(first, first + count):
        started = EPOCH - dt.timedelta(minutes=(number * 7919) % 525_600)
        rows.append({"id": number, "process_id": template.process_id,
                     "definition_version_id": template.definition_version_id, "version": template.version,
                     "business_key": f"BK-{number:07d}",
                     "case_ref": f"KIM-2026-{number:06d}", "status": "running", "revision": 1,
                     "state": template.state, "summary": {}, "started_by": "bench", "started_at": started,
                     "updated_at": started})
    return rows


# Every row of one executemany must name the same columns.
_BLANK_TASK = {"unit": None, "area": None, "assignee": None, "claimed_by": None, "claimed_at": None, "due_at": None,
               "follow_up_at": None, "completed_at": None, "completed_by": None}


def _task_rows(instance: dict, instance_id: int, number: int) -> Iterator[dict]:
    office = OFFICES[number % len(OFFICES)]
    started = instance["started_at"]
    common = {**_BLANK_TASK, "instance_id": instance_id, "process_id": instance["process_id"], "office": office,
              "case_ref": instance["case_ref"], "business_key": instance["business_key"], "candidate_users": [],
              "priority": 50}
    created = started
    if number % 2:
        created = started + dt.timedelta(days=2)
        yield {**common, "id": str(uuid.uuid4()), "element_id": "task_0", "name": "Aufgabe 0", "status": "completed",
               "created_at": started, "completed_at": created, "completed_by": "sachbearbeitung",
               "claimed_by": "sachbearbeitung", "claimed_at": started}
    claimed = number % 10 == 0
    yield {**common, "id": str(uuid.uuid4()), "element_id": f"task_{number % 2}", "name": f"Aufgabe {number % 2}",
           "status": "claimed" if claimed else "open", "created_at": created,
           "claimed_by": "sachbearbeitung" if claimed else None, "claimed_at": created if claimed else None,
           "due_at": created + dt.timedelta(days=14) if number % 3 == 0 else None}


def populate(db: Database, target: int) -> int:
    """Bulk-insert open instances until `target` are running; return how many were inserted."""
    missing = max(target - open_instances(db), 0)
    with db.unit_of_work() as session:
        template = session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_id == PROCESS_ID, ProcessInstance.status == "running").limit(1)).one()
        first = (session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        for offset in range(0, missing, CHUNK):
            rows = _instance_rows(template, first + offset, min(CHUNK, missing - offset))
            # Core executemany with explicit ids: several times faster than ORM inserts returning ids.
            session.execute(insert(ProcessInstance.__table__), rows)
            tasks = [task for row in rows for task in _task_rows(row, row["id"], row["id"])]
            session.execute(insert(HumanTask.__table__), tasks)
        if db.is_postgres:
            session.execute(text("SELECT setval(pg_get_serial_sequence('process_instance', 'id'), "
                                 "(SELECT max(id) FROM process_instance))"))
    # A production database keeps statistics and PostgreSQL's visibility map current (autovacuum, optimize).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.is_postgres else "ANALYZE"))
    return missing


def _inbox(db: Database) -> queries.Page:
    with db.reading() as session:
        page = queries.office_open_tasks(session, INBOX_OFFICE, limit=50)
        [task.name for task in page.items]  # the screen reads every row it shows
        return page


def measure_inbox(db: Database, samples: int) -> tuple[Stats, int]:
    """Time the inbox page of one office; return the figures and the office's open-task total."""
    total = _inbox(db).total
    return measure([lambda: _inbox(db)] * (samples + 10), warmup=10), total
