"""HTTP benchmark: the staff and management pages as served, with server time, SQL statements and bytes.

The app is the WSGI app of `web.app.create_app`, driven in-process through Flask's test client (no
network, no gunicorn: the figures are the server's own time per request, as gunicorn's worker spends it).

    .venv/bin/python bench/bench_http.py                      # SQLite and PostgreSQL, 1,000 and 100,000
    .venv/bin/python bench/bench_http.py --sizes 1000 --db sqlite --samples 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from bench import http_population as population  # noqa: E402
from bench.databases import DEFAULT_POSTGRES, open_database, postgres_reachable  # noqa: E402
from bench.http_plans import inbox_plan, inbox_query_ms  # noqa: E402
from engine.service.engine import ProcessEngine  # noqa: E402
from web.app import create_app  # noqa: E402
from web.cli import kim_extensions  # noqa: E402

# SpiffArena on this machine, SQLite, one worker, 10,000 open instances (issue 16).
SPIFF_MS = {"submit (POST)": 64.0, "inbox: group": 121.0, "instance list": 60.0}
TARGET_MS = {"submit (POST)": 10.0, "API start": 8.0}
STAFF_TARGET_MS, SQL_TARGET = 15.0, 8


@dataclass
class Row:
    name: str
    median: float
    p95: float
    sql: float
    bytes: int
    cpu: float = 0.0  # median CPU time of this process: less disturbed by other load on a shared machine
    status: int = 200


class Counter:
    """Count the SQL statements the app's engine sends."""

    def __init__(self, app):
        self.count = 0
        event.listen(app.extensions["kimflow"].db.engine, "before_cursor_execute", self._one)

    def _one(self, *args) -> None:
        self.count += 1


def _sample(counter: Counter, call: Callable[[], object], samples: int, warmup: int = 3) -> Row:
    times, cpus, sqls, size, status = [], [], [], 0, 0
    for index in range(samples + warmup):
        before = counter.count
        started, cpu_started = time.perf_counter(), time.process_time()
        response = call()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert response.status_code < 400, (response.status_code, response.data[:300])
        if index >= warmup:
            times.append(elapsed * 1000)
            cpus.append(cpu * 1000)
            sqls.append(counter.count - before)
            size, status = len(response.data), response.status_code
    ordered = sorted(times)
    return Row("", statistics.median(ordered), ordered[int(round(0.95 * (len(ordered) - 1)))],
               statistics.median(sqls), size, statistics.median(cpus), status)


def _signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": population.PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return client


def measure(app, task_ids: list[str], case_ref: str, samples: int) -> list[Row]:
    """Time each page `samples` times; return one row per page."""
    counter = Counter(app)
    clerk, manager = _signed_in(app, population.CLERK), _signed_in(app, population.MANAGER)
    rows: list[Row] = []

    def add(name: str, call: Callable[[], object], count: int = samples) -> None:
        row = _sample(counter, call, count)
        row.name = name
        rows.append(row)

    fresh = app.test_client
    # Sign-in includes the deliberate cost of argon2id password hashing (about 50-100 ms of CPU).
    add("sign-in (POST)", lambda: fresh().post("/login", data={"username": population.CLERK,
                                                               "password": population.PASSWORD}), min(samples, 20))
    for name, path in (("mine", "/aufgaben/meine"), ("group", "/aufgaben/gruppe"), ("done", "/aufgaben/erledigt")):
        add(f"inbox: {name}", lambda path=path: clerk.get(path))
    pages = iter(task_ids)
    add("task page", lambda: clerk.get(f"/aufgabe/{task_ids[0]}"))
    submitted: list = []

    def submit():
        response = clerk.post(f"/aufgabe/{next(pages)}", data={"note": "erledigt"})
        submitted.append(response.headers.get("Location"))
        return response

    add("submit (POST)", submit, min(samples, (len(task_ids) - 3) // 2))
    add("submit: redirect page", lambda: clerk.get(submitted[-1] or "/"), min(samples, 20))
    add("case file", lambda: clerk.get(f"/fall/{case_ref}"))
    add("case list", lambda: clerk.get("/faelle"))
    add("person search", lambda: clerk.get("/personen?name=Haddad"))
    add("instance list", lambda: manager.get("/manage/instances"))
    add("steering report", lambda: manager.get("/manage/report"), min(samples, 10))
    api, headers = app.test_client(), population.api_headers(app)
    add("API start", lambda: api.post("/api/v1/process-instances", headers=headers,
                                      json={"key": population.PROCESS_ID, "variables": {}}))
    add("API complete", lambda: api.post(f"/api/v1/tasks/{next(pages)}/complete", headers=headers,
                                         json={"variables": {"note": "erledigt"}}),
        min(samples, (len(task_ids) - 3) // 2))
    return rows


def _open_task_ids(engine: ProcessEngine, instance_ids: list[int]) -> list[str]:
    from engine.read import lists as queries

    with engine.db.reading() as session:
        return [t.id for i in instance_ids for t in queries.open_tasks(session, instance_id=i)]


def run(url: str | None, size: int, samples: int) -> None:
    """Populate one database to `size` open tasks, print its table and the inbox query plan."""
    with open_database(url) as db:
        engine = ProcessEngine(db, kim_extensions())
        started = time.perf_counter()
        instance_ids, case_ref = population.seed(engine, 2 * samples + 40)
        population.populate(engine, size)
        kind = "PostgreSQL" if db.is_postgres else "SQLite"
        print(f"\n== {kind}, {size:,} open tasks (populated in {time.perf_counter() - started:.0f} s) ==")
        app = create_app({"DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "OPTIONAL_BLUEPRINTS": ("web.manage", "web.api")})
        rows = measure(app, _open_task_ids(engine, instance_ids), case_ref, samples)
        _print(rows)
        page_ms, badges_ms = inbox_query_ms(app, population.CLERK)
        print(f"\ninbox query alone (median of 30): group view's first page {page_ms:.2f} ms, "
              f"the three badge counts {badges_ms:.2f} ms")
        print("inbox query plan (group view, first page):")
        print(inbox_plan(app, population.CLERK))
        app.extensions["kimflow"].db.engine.dispose()


def _print(rows: list[Row]) -> None:
    print(f"{'request':24} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'SQL':>5} {'bytes':>8} {'HTTP':>4}  "
          f"{'target':>8}  SpiffArena")
    for row in rows:
        target = TARGET_MS.get(row.name, STAFF_TARGET_MS)
        miss = "!" if row.p95 > target or row.sql > SQL_TARGET else " "
        spiff = SPIFF_MS.get(row.name)
        ratio = f"{row.median / spiff:.2f}× of {spiff:.0f} ms" if spiff else ""
        print(f"{row.name:24} {row.median:10.1f} {row.p95:8.1f} {row.cpu:7.1f} {row.sql:5.0f} {row.bytes:8d} "
              f"{row.status:4d}  "
              f"≤{target:5.0f}{miss}  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    urls: list[str | None] = [] if args.db == "postgres" else [None]
    if args.db != "sqlite" and postgres_reachable(args.postgres):
        urls.append(args.postgres)
    for url in urls:
        for size in (int(s) for s in args.sizes.split(",")):
            run(url, size, args.samples)


if __name__ == "__main__":
    main()
