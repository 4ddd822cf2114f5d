"""Time one gateway condition (in-process) and one script task (in a worker process) per evaluation.

    .venv/bin/python bench/bench_scripts.py [--runs N]

Conditions stay in the app process because a diagram evaluates many of them; script tasks cross to a
warm worker (JSON both ways), so their cost is dominated by the round trip. Rows:
- condition: `SandboxedScriptEngine.environment.evaluate` of a two-clause condition (compiled once, cached).
- script task (worker): `environment.execute` of a three-line script on 20 variables, through the pool.
- script task in-process (for comparison): the same script compiled and run in this process, as before
  the worker existed (no data copy, no round trip).
- script task, one function call: the same plus one registered function called back in the parent.
- worker start: a fresh pool's first script (process start, imports, lock-down), a few samples.
Targets: condition median <= 0.05 ms; script task median <= 2 ms.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import Stats, measure  # noqa: E402
from engine.runtime.sandbox import SandboxedScriptEngine, compile_sandboxed, run_sandboxed  # noqa: E402
from engine.runtime.script_worker import WorkerLimits, WorkerPool  # noqa: E402

CONDITION = "age >= 18 and status == 'anerkannt'"
SCRIPT = "total = price * count\nlabel = 'Summe: ' + str(total)\ndeadline = start + timedelta(days=14)"
SCRIPT_WITH_CALL = SCRIPT + "\ndue = add_days(start, 3)"
TARGETS = {"condition": 0.05, "script task (worker)": 2.0}


def _data() -> dict:
    data: dict = {f"field_{n}": f"Wert {n}" for n in range(16)}
    data.update(age=30, status="anerkannt", price=3, count=4, start=date(2026, 3, 2))
    return data


def _add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def run(runs: int) -> dict[str, Stats]:
    """Measure every row and return its statistics."""
    pool = WorkerPool(WorkerLimits.from_env())
    engine = SandboxedScriptEngine({"add_days": _add_days}, workers=pool)
    environment = engine.environment
    data = _data()
    rows: dict[str, Stats] = {}
    try:
        rows["condition"] = measure((lambda: environment.evaluate(CONDITION, data) for _ in range(runs * 10)),
                                    warmup=100)
        rows["script task (worker)"] = measure((lambda: environment.execute(SCRIPT, dict(data))
                                                for _ in range(runs)), warmup=20)
        code = compile_sandboxed(SCRIPT, "exec")
        rows["script task in-process (comparison)"] = measure(
            (lambda: run_sandboxed(code, dict(data), 1.0) for _ in range(runs)), warmup=20)
        rows["script task, one function call"] = measure(
            (lambda: environment.execute(SCRIPT_WITH_CALL, dict(data)) for _ in range(runs)), warmup=20)
    finally:
        pool.close()
    rows["worker start (first script)"] = measure(lambda: _first_script(data) for _ in range(5))
    return rows


def _first_script(data: dict) -> None:
    pool = WorkerPool(WorkerLimits(workers=1))
    try:
        SandboxedScriptEngine(workers=pool).environment.execute("x = 1", dict(data))
    finally:
        pool.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="script evaluations per row (conditions x10)")
    args = parser.parse_args(argv)
    rows = run(args.runs)
    print(f"{'measure':<34} {'median ms':>10} {'p95 ms':>10} {'samples':>8} {'target ms':>10}")
    for name, stats in rows.items():
        target = TARGETS.get(name)
        mark = "!" if target is not None and stats.median > target else " "
        shown = f"{target:g}" if target is not None else "-"
        print(f"{name:<34} {stats.median:>10.4f} {stats.p95:>10.4f} {stats.samples:>8} {shown:>9}{mark}")


if __name__ == "__main__":
    main()
