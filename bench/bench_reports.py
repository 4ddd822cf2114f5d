"""Benchmark the management read side at 100,000 instances on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_reports.py [--instances N] [--samples N] [--sqlite-only]

Populates the projection tables with bulk inserts (a read-side benchmark: how the rows got there does
not matter), then times the steering report (month and quarter) and pages of the instance list.
Targets on SQLite: report <= 300 ms, list <= 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from sqlalchemy import insert  # noqa: E402

from bench import databases  # noqa: E402
from bench.timing import Stats, measure  # noqa: E402
from engine.read.monitoring import InstanceFilter, instance_list  # noqa: E402
from engine.store.db import Database  # noqa: E402
from engine.store.models import DefinitionVersion, HumanTask, ProcessInstance  # noqa: E402
from workflows.steering.labels import MUNICIPALITIES, OFFICES  # noqa: E402
from workflows.steering.models import SteeringFact  # noqa: E402
from workflows.steering.report import set_posts, steering_report  # noqa: E402

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
DAYS = 730
NOW = START + dt.timedelta(days=DAYS)
AREAS = list(MUNICIPALITIES)
BATCH = 10_000


def _instance(i: int, started: dt.datetime, rng: random.Random) -> dict:
    done = rng.random() < 0.6
    return {"id": i, "process_id": "kim_case", "definition_version_id": 1, "version": 1,
            "business_key": f"KIM-{i:06d}", "case_ref": f"KIM-{i:06d}", "area": rng.choice(AREAS),
            "parent_instance_id": None, "status": "completed" if done else "running", "revision": 1, "state": "{}",
            "summary": {}, "started_by": "bench", "started_at": started, "updated_at": started,
            "ended_at": started + dt.timedelta(days=90) if done else None, "error_element": None,
            "error_message": None}


def _task(instance: dict, rng: random.Random) -> dict:
    created = instance["started_at"] + dt.timedelta(days=rng.randrange(30))
    open_ = instance["status"] == "running"
    return {"id": f"{instance['id']:032d}", "instance_id": instance["id"], "process_id": "kim_case",
            "element_id": rng.choice(("assessment", "integration_plan", "request_abh", "review_goals")),
            "name": "Aufgabe", "office": "kim_cm", "unit": f"kim_cm_{instance['area']}", "area": instance["area"],
            "case_ref": instance["case_ref"], "business_key": instance["business_key"], "candidate_users": [],
            "assignee": None, "claimed_by": None, "claimed_at": None, "due_at": created + dt.timedelta(days=14),
            "follow_up_at": None, "priority": 50, "status": "open" if open_ else "completed", "created_at": created,
            "completed_at": None if open_ else created + dt.timedelta(days=rng.randrange(1, 40)),
            "completed_by": None if open_ else "bench", "draft": None}


def _facts(instance: dict, rng: random.Random) -> list[dict]:
    base = {"case_key": instance["case_ref"], "instance_id": instance["id"], "area": instance["area"],
            "category": None, "status": None, "days": None}
    started = instance["started_at"]
    rows = [{**base, "kind": "case_opened", "at": started, "category": rng.choice(("office", "walk_in", "welfare"))}]
    for kind, days in (("first_contact", rng.uniform(0, 10)), ("consent", rng.uniform(3, 30)),
                       ("plan", rng.uniform(10, 60))):
        rows.append({**base, "kind": kind, "at": started + dt.timedelta(days=days), "days": round(days, 1)})
    rows.append({**base, "kind": "residence_status", "at": started + dt.timedelta(days=12),
                 "category": rng.choice(("duldung", "aufenthaltserlaubnis", "aufenthaltsgestattung"))})
    answer = rng.uniform(1, 30)
    rows.append({**base, "kind": "office_response", "at": started + dt.timedelta(days=40 + answer),
                 "category": rng.choice(list(OFFICES)), "days": round(answer, 1),
                 "status": "in_sla" if answer <= 14 else "late"})
    if instance["ended_at"] is not None:
        rows.append({**base, "kind": "case_closed", "at": instance["ended_at"],
                     "category": rng.choice(("goals_met", "moved_away", "no_contact", "naturalised"))})
    if rng.random() < 0.1:
        rows.append({**base, "kind": "benefit_gap", "at": started + dt.timedelta(days=50),
                     "days": round(rng.uniform(0, 60), 1)})
    return rows


def populate(db: Database, count: int) -> None:
    """Insert `count` case instances with one task each and their steering facts."""
    rng = random.Random(7)
    with db.unit_of_work() as session:
        session.add(DefinitionVersion(id=1, kind="process", process_id="kim_case", version=1, name="KIM",
                                      checksum="x", files={}, message_starts=[], deployed_by="bench",
                                      deployed_at=START))
        set_posts(session, {area: 1.5 for area in AREAS})
    # Ids grow with the start time, as they do when the engine starts instances.
    starts = sorted(START + dt.timedelta(minutes=rng.randrange(DAYS * 1440)) for _ in range(count))
    for first in range(1, count + 1, BATCH):
        instances = [_instance(i, starts[i - 1], rng) for i in range(first, min(first + BATCH, count + 1))]
        with db.unit_of_work() as session:
            session.execute(insert(ProcessInstance.__table__), instances)
            session.execute(insert(HumanTask.__table__), [_task(i, rng) for i in instances])
            session.execute(insert(SteeringFact.__table__), [f for i in instances for f in _facts(i, rng)])
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh statistics, as a database in use would have


def _report(db: Database, period: str):
    def call() -> None:
        with db.reading() as session:
            steering_report(session, period)
    return call


def _list(db: Database, flt: InstanceFilter):
    def call() -> None:
        with db.reading() as session:
            instance_list(session, flt, now=NOW)
    return call


CASES = [
    ("report", "Steuerungsbericht, Monat (alle Kommunen)", lambda db: _report(db, "2026-06")),
    ("report", "Steuerungsbericht, Quartal (alle Kommunen)", lambda db: _report(db, "2026-Q2")),
    ("list", "Instanzliste, 1. Seite, neueste zuerst", lambda db: _list(db, InstanceFilter())),
    ("list", "Instanzliste, Kommune + Status", lambda db: _list(db, InstanceFilter(area="neuss", status="running"))),
    ("list", "Instanzliste, überfällige Aufgaben", lambda db: _list(db, InstanceFilter(overdue=True))),
    ("list", "Instanzliste, Fallnummer", lambda db: _list(db, InstanceFilter(search="KIM-04711"))),
    ("list", "Instanzliste, Prozess + Zeitraum", lambda db: _list(db, InstanceFilter(
        process_id="kim_case", started_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        started_to=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)))),
]
TARGETS = {"report": 300.0, "list": 50.0}


def run(db: Database, name: str, count: int, samples: int) -> list[tuple[str, str, Stats, bool | None]]:
    populate(db, count)
    results = []
    for kind, label, make in CASES:
        call = make(db)
        stats = measure([call] * (samples + 3), warmup=3)
        verdict = stats.median <= TARGETS[kind] if name == "SQLite" else None
        results.append((name, label, stats, verdict))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with databases.temp_sqlite() as db:
        results += run(db, "SQLite", args.instances, args.samples)
    if not args.sqlite_only and databases.postgres_reachable():
        with databases.private_postgres() as db:
            results += run(db, "PostgreSQL", args.instances, args.samples)
    print(f"Management read side at {args.instances:,} instances; targets on SQLite: report ≤ 300 ms, list ≤ 50 ms")
    print(f"{'Datenbank':<11} {'Messung':<45} {'Median':>9} {'p95':>9}  Ziel")
    failed = False
    for name, label, stats, verdict in results:
        mark = "" if verdict is None else ("ok" if verdict else "VERFEHLT")
        failed |= verdict is False
        print(f"{name:<11} {label:<45} {stats.median:>7.1f}ms {stats.p95:>7.1f}ms  {mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
