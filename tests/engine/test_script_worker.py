"""Script tasks run in a separate worker process that holds no secret and cannot take the app down."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.runtime.dryrun import Scenario, dry_run
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.runtime.script_worker import ScriptLimitExceeded, WorkerLimits, WorkerPool
from engine.service.engine import ProcessEngine
from engine.store.models import HumanTask, Incident
from tests.bpmn_builder import build, user

PROBE = "tests.engine.script_worker_probe"
SECRET_KEY = "kimflow-secret-key-7f3a9c2e51d84b06"
DB_PASSWORD = "db-password-Qx81vZ"
MARKER = "/kimflow-inherited-marker"
SCRIPT = ("if mode == 'memory':\n"
          "    x = ('a' * 1000000).replace('a', 'b' * 1000)\n"
          "elif mode == 'loop':\n"
          "    while True:\n"
          "        pass\n"
          "due = add_days(start, 3)\n"
          "result = 100 // divisor")


def _pool(timeout: float) -> WorkerPool:
    return WorkerPool(WorkerLimits(workers=1, cpu_seconds=1, timeout_seconds=timeout), preload=[PROBE])


@pytest.fixture
def pool():
    workers = _pool(timeout=5.0)
    yield workers
    workers.close()


def _add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def _engine(db, extensions, pool: WorkerPool) -> ProcessEngine:
    scripts = SandboxedScriptEngine({"add_days": _add_days}, time_limit=0.5, workers=pool)
    return ProcessEngine(db, extensions, scripts=scripts)


def _process() -> str:
    return build("calc", [("start", "s"), user("enter", "Eingabe", "kim_cm", [("divisor", "long", "Teiler")]),
                          ("script", "divide", SCRIPT), user("check", "Prüfen", "kim_cm"), ("end", "e")],
                 [("s", "enter"), ("enter", "divide"), ("divide", "check"), ("check", "e")])


def _open_task(db, instance_id: int) -> HumanTask:
    with db.reading() as session:
        return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.status == "open")).one()


def _run_script(engine: ProcessEngine, db, system, mode: str, divisor: int = 4) -> int:
    instance_id = engine.start("calc", actor=system, data={"mode": mode, "start": date(2026, 3, 2)})
    engine.complete(_open_task(db, instance_id).id, actor=system, data={"divisor": divisor})
    return instance_id


def test_a_script_task_runs_in_a_worker_and_its_result_survives_a_fresh_load(db, extensions, system, pool):
    engine = _engine(db, extensions, pool)
    engine.deploy({"calc.bpmn": _process()}, actor=system)
    instance_id = _run_script(engine, db, system, "plain")
    assert pool.started == 1  # the script ran in the worker, not in this process
    reloaded = _engine(db, extensions, pool)
    data = reloaded.show(instance_id).data
    assert (data["result"], data["due"]) == (25, date(2026, 3, 5))  # a registered function, called back
    assert reloaded.complete(_open_task(db, instance_id).id, actor=system, data={}) == "completed"


@pytest.mark.parametrize(("mode", "words"), [("memory", "Speichergrenze"), ("loop", "abgebrochen")])
def test_a_script_exhausting_memory_or_time_is_an_incident_and_the_next_script_works(
        db, extensions, system, pool, mode, words):
    engine = _engine(db, extensions, pool)
    engine.deploy({"calc.bpmn": _process()}, actor=system)
    failed = _run_script(engine, db, system, mode)
    view = engine.show(failed)
    assert (view.status, view.error_element) == ("error", "divide")
    assert words in view.error_message
    with db.reading() as session:
        assert session.scalars(select(Incident.element_id)).all() == ["divide"]
    assert engine.show(_run_script(engine, db, system, "plain")).data["result"] == 25


def test_a_dry_run_runs_its_scripts_in_a_worker_and_reports_an_exhausting_one():
    files = {"calc.bpmn": build("calc", [("start", "s"), ("script", "divide", SCRIPT), ("end", "e")],
                                [("s", "divide"), ("divide", "e")])}
    scenario = {"start": date(2026, 3, 2), "divisor": 5}
    good = dry_run(files, Scenario(start={**scenario, "mode": "plain"}), functions={"add_days": _add_days})
    assert (good.completed, good.data["result"], good.data["due"]) == (True, 20, date(2026, 3, 5))
    bad = dry_run(files, Scenario(start={**scenario, "mode": "memory"}), functions={"add_days": _add_days})
    [problem] = bad.errors
    assert problem.element_id == "divide" and "Speichergrenze" in problem.message


def test_a_script_error_keeps_its_type_and_line():
    with pytest.raises(ZeroDivisionError) as caught:
        SandboxedScriptEngine().environment.execute("a = 1\nb = a / 0", {})
    assert caught.value.script_line == 2


def test_an_escape_in_the_worker_finds_no_secret_key_and_no_password(monkeypatch, pool):
    monkeypatch.setenv("KIMFLOW_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://kimflow:{DB_PASSWORD}@db.example/kimflow")
    monkeypatch.setenv("KIMFLOW_DATABASE_URL", f"postgresql://kimflow:{DB_PASSWORD}@db.example/kimflow")
    monkeypatch.setenv("PGPASSWORD", DB_PASSWORD)
    monkeypatch.setenv("PATH", os.environ["PATH"] + ":" + MARKER)
    found = pool.probe("search", {"reversed": [SECRET_KEY[::-1], DB_PASSWORD[::-1], MARKER[::-1]]})
    assert found["found"][MARKER]  # the search does see what the worker inherits on purpose
    assert found["found"][SECRET_KEY] == []
    assert found["found"][DB_PASSWORD] == []
    assert found["parent_environ_readable"] is False
    loaded = found["modules"]
    assert not [name for name in loaded if name.split(".")[0] in ("web", "workflows", "flask", "sqlalchemy")]
    assert "engine.store" not in loaded and "engine.service" not in loaded  # no database code, no app config


def test_an_escape_in_the_worker_cannot_start_processes_open_files_signal_the_app_or_lift_its_limits(pool):
    assert pool.probe("search", {"reversed": []})["uid"] != 0
    assert pool.probe("fork").startswith("refused")
    outcomes = pool.probe("reach_out")
    assert all(outcome.startswith("refused") for outcome in outcomes.values()), outcomes


def test_the_cpu_limit_ends_code_beyond_the_sandbox_and_the_pool_recovers():
    pool = _pool(timeout=120.0)  # so that even on a busy machine the CPU limit, not the timeout, stops it
    try:
        with pytest.raises(ScriptLimitExceeded, match="CPU-Zeitgrenze von 1 s"):
            pool.probe("spin")
        assert pool.execute("y = x + 1", {"x": 1}, functions={}, time_limit=1.0) == {"x": 1, "y": 2}
        assert pool.started == 2
    finally:
        pool.close()


def test_the_parent_timeout_ends_a_worker_that_waits_and_the_pool_recovers():
    pool = _pool(timeout=1.0)
    try:
        with pytest.raises(ScriptLimitExceeded, match="nach 1 s abgebrochen"):
            pool.probe("sleep")
        assert pool.execute("y = x + 1", {"x": 1}, functions={}, time_limit=0.5) == {"x": 1, "y": 2}
        assert pool.started == 2
    finally:
        pool.close()


def test_data_crosses_the_boundary_with_its_types():
    data = {"when": date(2026, 1, 31), "span": timedelta(days=2, microseconds=5), "tags": {"a", "b"},
            "nested": {"list": [1, 2.5, None, True], "typename": "kept as data"}}
    engine = SandboxedScriptEngine()
    engine.environment.execute("later = when + span\ncount = len(tags)", data)
    assert data["later"] == date(2026, 2, 2)
    assert (data["count"], data["tags"], data["nested"]["typename"]) == (2, {"a", "b"}, "kept as data")


def test_a_value_that_cannot_be_stored_is_a_clear_script_error():
    with pytest.raises(ValueError, match="nicht gespeichert werden können: 'r' \\(range\\)"):
        SandboxedScriptEngine().environment.execute("r = range(3)", {})


def test_limits_come_from_the_environment_and_bad_values_are_refused():
    limits = WorkerLimits.from_env({"KIMFLOW_SCRIPT_MEMORY_MB": "256", "KIMFLOW_SCRIPT_CPU_SECONDS": "3",
                                    "KIMFLOW_SCRIPT_WORKERS": "4", "KIMFLOW_SCRIPT_TIMEOUT_SECONDS": "7.5"})
    assert (limits.memory_mb, limits.cpu_seconds, limits.workers, limits.timeout_seconds) == (256, 3, 4, 7.5)
    with pytest.raises(ValueError, match="KIMFLOW_SCRIPT_MEMORY_MB"):
        WorkerLimits.from_env({"KIMFLOW_SCRIPT_MEMORY_MB": "viel"})


def test_a_misconfigured_limit_stops_the_script_engine_from_starting(monkeypatch):
    monkeypatch.setenv("KIMFLOW_SCRIPT_CPU_SECONDS", "0")
    with pytest.raises(ValueError, match="KIMFLOW_SCRIPT_CPU_SECONDS muss mindestens 1 sein"):
        SandboxedScriptEngine()
