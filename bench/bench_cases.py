"""Case list and person search at 100,000 cases on SQLite: server time per call (p50/p95), the way the pages ask,
then the pages themselves as served (the WSGI app in-process through Flask's test client, a signed-in case manager).

    .venv/bin/python bench/bench_cases.py [--cases 100000] [--samples 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from engine.core.actors import Actor  # noqa: E402
from engine.identity import org  # noqa: E402
from engine.service.engine import ProcessEngine  # noqa: E402
from engine.store.db import Database  # noqa: E402
from web.app import create_app  # noqa: E402
from web.cli import kim_extensions  # noqa: E402
from workflows import case_list, person_search  # noqa: E402
from workflows.cases.models import Case  # noqa: E402
from workflows.catalogue import MUNICIPALITIES  # noqa: E402
from workflows.person_keys import PersonKey, keys_of  # noqa: E402
from workflows.seed import seed_units  # noqa: E402

PASSWORD = "bench-bench-bench-42"
GIVEN = ["Mohammed", "Amina", "Olena", "Ahmad", "Fatima", "Yusuf", "Maryam", "Ali", "Sara", "Omar", "Jörg", "Leyla"]
FAMILY = ["Al-Hassan", "Haddad", "Kovalenko", "Rahimi", "Yilmaz", "Müller", "Nasser", "Shevchenko", "Karimi", "Demir"]


def populate(db: Database, count: int, rng: random.Random) -> None:
    """Insert `count` cases with their person keys in batches (no processes: the list reads kim_case)."""
    areas = list(MUNICIPALITIES)
    now = dt.datetime.now(dt.UTC)
    with db.unit_of_work() as session:
        seed_units(session)
    for start in range(0, count, 10_000):
        cases, keys = [], []
        for i in range(start, min(count, start + 10_000)):
            ref = f"K-2026-{i + 1:06d}"
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}{i % 97 or ''}"
            born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 20_000))
            cases.append({"case_ref": ref, "given_name": given, "family_name": family, "birth_date": born,
                          "area": rng.choice(areas), "status": "open" if rng.random() < 0.7 else "closed",
                          "opened_by": "bench", "opened_at": now, "languages": [], "household": [], "profile": {}})
            keys += [{"key": k, "case_ref": ref} for k in keys_of(given, family, born)]
        with db.unit_of_work() as session:
            session.execute(insert(Case), cases)
            session.execute(insert(PersonKey), keys)


def timed(call, samples: int) -> tuple[float, float]:
    """Return p50 and p95 in milliseconds of `samples` calls."""
    runs = []
    for _ in range(samples):
        began = time.perf_counter()
        call()
        runs.append((time.perf_counter() - began) * 1000)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kimflow-bench-cases-")
    db = Database(f"sqlite:///{folder}/bench.db")
    ProcessEngine(db, kim_extensions()).create_schema()
    populate(db, args.cases, random.Random(7))
    manager = Actor("cm", units=frozenset({"kim_cm_neuss"}), offices=frozenset({"kim_cm"}), roles=frozenset({"staff"}))
    clerk = Actor("sk", units=frozenset({"sozialamt_kaarst"}), offices=frozenset({"sozialamt"}),
                  roles=frozenset({"staff"}))
    district = Actor("ak", units=frozenset({"abh_kreis"}), offices=frozenset({"abh"}), roles=frozenset({"staff"}))

    def page(actor, **flt):
        with db.unit_of_work() as session:
            case_list.case_page(session, actor, case_list.CaseFilter(**flt))

    def search(actor, **criteria):
        with db.unit_of_work() as session:
            person_search.search(session, actor, **criteria)

    checks = {
        "case list, Neuss case management, page 1": lambda: page(manager, scope="unit"),
        "case list, page 20, sorted by case number": lambda: page(manager, scope="unit", sort="case_ref", page=20),
        "case list, overdue only": lambda: page(manager, scope="unit", overdue=True),
        "case list, Meine Fälle (opened by me)": lambda: page(manager, scope="mine"),
        "case list, Kaarst Sozialamt (sees nothing)": lambda: page(clerk, scope="unit"),
        "case list, district ABH (district-wide unit)": lambda: page(district, scope="unit"),
        "search by name (Muhammad)": lambda: search(manager, name="Muhammad"),
        "search by name and birth date": lambda: search(manager, name="Haddad", birth_date=dt.date(1980, 3, 3)),
        "search by case number": lambda: search(manager, case_ref="K-2026-050000"),
    }
    print(f"{args.cases:,} cases, SQLite, {args.samples} samples each (ms)")
    for name, call in checks.items():
        p50, p95 = timed(call, args.samples)
        print(f"  {name:<48} p50 {p50:6.1f}  p95 {p95:6.1f}")
    served_pages(db, args.samples)
    db.engine.dispose()


def served_pages(db: Database, samples: int) -> None:
    """Time the case list and person search pages as served to a signed-in case manager of Neuss."""
    app = create_app({"DATABASE_URL": db.engine.url.render_as_string(hide_password=False), "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "OPTIONAL_BLUEPRINTS": ()})
    with db.unit_of_work() as session:
        org.create_user(session, "cm", "Case Manager", PASSWORD, actor="bench", role="staff")
        org.add_membership(session, "cm", "kim_cm_neuss", actor="bench")
    client = app.test_client()
    assert client.post("/login", data={"username": "cm", "password": PASSWORD}).status_code == 302
    pages = {"page: case list (Fälle der Einheit)": "/faelle",
             "page: case list, overdue only": "/faelle?ueberfaellig=1",
             "page: case list, Meine Fälle": "/faelle?ansicht=mine",
             "page: person search by name": "/personen?name=Muhammad",
             "page: person search by case number": "/personen?fallnummer=K-2026-050000"}
    print(f"as served (test client, server time incl. rendering), {samples} samples each (ms)")
    for name, path in pages.items():
        def get(path=path):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
        p50, p95 = timed(get, samples)
        print(f"  {name:<48} p50 {p50:6.1f}  p95 {p95:6.1f}")
    app.extensions["kimflow"].db.engine.dispose()


if __name__ == "__main__":
    main()
