"""Retention is complete and happens once: what instances left for other systems (external tasks, event hooks)
is scrubbed too, and workers sweeping at once anonymise each case exactly once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from engine.core import clock
from engine.read.lists import open_tasks
from engine.service import external_tasks, hooks
from engine.service.engine import ProcessEngine
from engine.store.audit import events
from engine.store.db import Database
from tests.bpmn_builder import build, linear
from tests.workflows.conftest import SYSTEM
from tests.workflows.test_retention_erases_everywhere import FAMILY, GIVEN, closed_case_of_a_distinct_person, findings
from workflows import retention
from workflows.cases.models import DeletionRecord
from workflows.setup import build_extensions

LATER = dt.timedelta(days=400)


def external_work_for(kim: ProcessEngine, case_ref: str) -> None:
    """Start a process of the case, keyed by the person's name, whose external task fails naming her."""
    kim.deploy({"abfrage.bpmn": build("abfrage", [("start", "s"), ("service", "ask", "register"), ("end", "e")],
                                      [("s", "ask"), ("ask", "e")])}, actor=SYSTEM)
    kim.start("abfrage", actor=SYSTEM, business_key=f"{FAMILY}, {GIVEN}", case_ref=case_ref)
    [locked] = external_tasks.fetch_and_lock(kim, "register-worker", ["register"])
    external_tasks.failure(kim, locked.id, "register-worker", actor=SYSTEM,
                           message=f"Register kennt {GIVEN} {FAMILY} nicht", retries=0)


def a_draft_for(kim: ProcessEngine, case_ref: str) -> None:
    """Leave a follow-up task of the case open with a draft that names the person."""
    kim.deploy({"rueckfrage.bpmn": linear("rueckfrage", tasks=1)}, actor=SYSTEM)
    instance_id = kim.start("rueckfrage", actor=SYSTEM, case_ref=case_ref)
    with kim.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    kim.save_draft(task.id, actor=SYSTEM, data={"note": f"Rückruf von {GIVEN} {FAMILY} erbeten"})


def test_external_tasks_drafts_and_undelivered_hook_events_of_the_case_are_scrubbed(kim):
    hooks.subscribe(kim.db, "fachverfahren", "https://register.example/hook", list(hooks.HOOK_EVENTS), actor="root")
    case_ref = closed_case_of_a_distinct_person(kim)
    external_work_for(kim, case_ref)
    a_draft_for(kim, case_ref)
    assert {f.split(".")[0] for f in findings(kim.db)} >= {"external_task", "hook_outbox", "human_task"}
    report = retention.sweep(kim, now=clock.now() + LATER)
    assert report.cases == [case_ref] and report.failed == {}
    assert findings(kim.db) == []


def test_three_workers_sweeping_several_cases_at_once_anonymise_each_case_once(kim, database_url):
    cases = sorted(closed_case_of_a_distinct_person(kim) for _ in range(3))
    later = clock.now() + LATER
    workers = [Database(database_url) for _ in range(3)]  # separate pools, as separate worker processes have
    reports: list[retention.RetentionReport] = []
    try:
        threads = [threading.Thread(target=lambda db=db: reports.append(
            retention.sweep(ProcessEngine(db, build_extensions()), now=later))) for db in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for database in workers:
            database.engine.dispose()
    assert sorted(ref for r in reports for ref in r.cases) == cases
    assert all(r.failed == {} for r in reports)
    with kim.db.reading() as session:
        per_case = dict(session.execute(select(DeletionRecord.case_ref, func.count())
                                        .group_by(DeletionRecord.case_ref)).all())
        anonymised = sorted(e.case_ref for e in events(session) if e.action == retention.ACTION)
    assert per_case == dict.fromkeys(cases, 1)
    assert anonymised == cases
    assert retention.sweep(kim, now=later + dt.timedelta(days=1)).cases == []
