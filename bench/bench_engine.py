"""Benchmark the engine on SQLite and PostgreSQL and print figures, ratios and targets as one table.

    .venv/bin/python bench/bench_engine.py [--db URL] [--quick]

Without --db: a temporary SQLite file, then a private database on the local PostgreSQL server when
it answers. See bench/README.md for what each figure measures.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from bench import databases  # noqa: E402
from bench.engine_measures import deploy_two_tasks, measure_bare, measure_complete, measure_start, stored_bytes  # noqa: E402
from bench.inbox import measure_inbox, populate  # noqa: E402
from bench.loops import GATEWAY_LOOP, STANDARD_LOOP, gateway_loop_xml, loop_growth, standard_loop_xml  # noqa: E402
from bench.report import Table, ms, ratio  # noqa: E402
from engine.service.engine import ProcessEngine  # noqa: E402
from engine.store.db import Database  # noqa: E402

SPIFFARENA = {"start": 48.0, "complete": 43.0, "inbox": 52.0}


@dataclass(frozen=True)
class Sizes:
    """How many samples and rows one run uses."""

    samples: int
    warmup: int
    bare: int
    completed: int
    loop_iterations: int
    loop_samples: int
    inbox_small: int
    inbox_large: int
    inbox_samples: int


FULL = Sizes(300, 30, 1000, 50, 100, 20, 1_000, 100_000, 300)
QUICK = Sizes(30, 5, 50, 5, 30, 5, 200, 2_000, 30)


def _count(number: int) -> str:
    return f"{number // 1000}k" if number >= 1000 and number % 1000 == 0 else str(number)


def write_side(engine: ProcessEngine, name: str, sizes: Sizes, table: Table) -> None:
    """Start, complete, bare SpiffWorkflow, throughput and the comparison with SpiffArena."""
    xml = deploy_two_tasks(engine)
    start, instance_ids = measure_start(engine, sizes.samples + sizes.warmup, 0)
    table.add(name, "start", "start → first user task persisted, median", ms(start.median),
              ok=start.median <= 5 if name == "SQLite" else None, target="≤ 5 ms (SQLite)",
              spiffarena=ms(SPIFFARENA["start"]))
    table.add(name, "start_p95", "start, p95", ms(start.p95))
    table.add(name, "throughput", "start throughput (sequential, one process)",
              f"{1000 / start.median:.0f}/s; 100k ≈ {100 * start.median:.0f} s")
    complete = measure_complete(engine, instance_ids, sizes.warmup)
    table.add(name, "complete", "complete a task (load, validate, run, persist), median", ms(complete.median),
              ok=complete.median <= 5, target="≤ 5 ms", spiffarena=ms(SPIFFARENA["complete"]))
    table.add(name, "complete_p95", "complete, p95", ms(complete.p95))
    bare = measure_bare(xml, sizes.bare, sizes.warmup)
    table.add(name, "bare_start", "bare SpiffWorkflow in memory: create + run to first task", ms(bare.start.median))
    table.add(name, "bare_complete", "bare SpiffWorkflow in memory: complete (run + engine steps)",
              ms(bare.complete.median))
    table.add(name, "complete_ratio", "engine complete / bare complete", ratio(complete.median / bare.complete.median))
    table.add(name, "vs_start", "SpiffArena start / engine start", ratio(SPIFFARENA["start"] / start.median),
              ok=SPIFFARENA["start"] / start.median >= 10, target="≥ 10x")
    table.add(name, "vs_complete", "SpiffArena complete / engine complete",
              ratio(SPIFFARENA["complete"] / complete.median), ok=SPIFFARENA["complete"] / complete.median >= 10,
              target="≥ 10x")


def growth(engine: ProcessEngine, name: str, sizes: Sizes, table: Table) -> None:
    """Completing a task after many loop iterations vs fresh, for both loop styles."""
    for key, label, process_id, xml in (("gateway", "exclusive-gateway loop", GATEWAY_LOOP, gateway_loop_xml()),
                                        ("standard", "standardLoopCharacteristics", STANDARD_LOOP,
                                         standard_loop_xml())):
        result = loop_growth(engine, process_id, xml, sizes.loop_iterations, sizes.loop_samples)
        row_label = f"{label}: complete after {sizes.loop_iterations} iterations / fresh"
        if isinstance(result, str):
            table.add(name, f"loop_{key}", row_label, result, ok=False, target="≤ 2x")
            continue
        table.add(name, f"loop_{key}", row_label,
                  f"{ms(result.grown.median)} / {ms(result.fresh.median)} = {ratio(result.ratio)}",
                  ok=result.ratio <= 2, target="≤ 2x")
        table.add(name, f"loop_{key}_state", f"{label}: state JSON after {sizes.loop_iterations} iterations",
                  f"{result.state_bytes / 1024:.0f} KiB")


def storage(engine: ProcessEngine, name: str, sizes: Sizes, table: Table) -> None:
    """Bytes per completed two-task instance."""
    stored = stored_bytes(engine, sizes.completed)
    table.add(name, "bytes", "stored bytes per completed instance (column values)",
              f"{stored.total:.0f} B (state {stored.state:.0f} + tasks {stored.tasks:.0f} + audit {stored.audit:.0f})")


def read_side(db: Database, name: str, sizes: Sizes, table: Table) -> None:
    """The inbox page at a small and a large number of open instances, bulk-inserted."""
    figures = {}
    for size in (sizes.inbox_small, sizes.inbox_large):
        started = time.perf_counter()
        inserted = populate(db, size)
        stats, total = measure_inbox(db, sizes.inbox_samples)
        figures[size] = stats
        ok = stats.p95 <= 10 if size == sizes.inbox_large else None
        table.add(name, f"inbox_{'large' if size == sizes.inbox_large else 'small'}",
                  f"inbox page (50 of one office + total) @{_count(size)} open: median / p95",
                  f"{ms(stats.median)} / {ms(stats.p95)} ({total} in office)", ok=ok,
                  target="p95 ≤ 10 ms" if size == sizes.inbox_large else "",
                  spiffarena=f"{ms(SPIFFARENA['inbox'])} @10k" if size == sizes.inbox_large else "")
        table.add(name, f"populate_{size}", f"bulk insert up to {_count(size)} open instances",
                  f"{inserted} rows in {time.perf_counter() - started:.1f} s")
    small, large = figures[sizes.inbox_small], figures[sizes.inbox_large]
    table.add(name, "inbox_ratio", f"inbox @{_count(sizes.inbox_large)} / @{_count(sizes.inbox_small)}: "
              "median (p95)", f"{ratio(large.median / small.median)} ({ratio(large.p95 / small.p95)})",
              ok=large.median / small.median <= 1.5, target="≤ 1.5x")


def run_suite(db: Database, name: str, sizes: Sizes, table: Table) -> None:
    """Run every measure on one database."""
    engine = ProcessEngine(db)
    for step in (write_side, growth, storage):
        step(engine, name, sizes, table)
    read_side(db, name, sizes, table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite URL of a new file, or a PostgreSQL server URL (a private "
                                     "database is created and dropped on it)")
    parser.add_argument("--quick", action="store_true", help="few samples and rows: a smoke run, not figures")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    targets = [("SQLite" if (args.db or "sqlite").startswith("sqlite") else "PostgreSQL",
                databases.open_database(args.db))]
    if args.db is None and databases.postgres_reachable():
        targets.append(("PostgreSQL", databases.private_postgres()))
    table = Table()
    began = time.perf_counter()
    for name, context in targets:
        with context as db:
            run_suite(db, name, sizes, table)
    print(table.render())
    print(f"\n{'quick smoke run: too few samples to be figures; ' if args.quick else ''}"
          f"'!' marks a missed target; whole run {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
