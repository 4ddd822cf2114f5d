"""The benchmark script runs end to end in its quick mode and prints every figure it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = ("start → first user task persisted", "complete a task", "bare SpiffWorkflow in memory: complete",
        "engine complete / bare complete", "exclusive-gateway loop: complete after",
        "standardLoopCharacteristics: complete after", "stored bytes per completed instance",
        "inbox page (50 of one office + total) @200 open", "inbox page (50 of one office + total) @2k open",
        "inbox @2k / @200", "SpiffArena start / engine start")


def test_quick_benchmark_on_sqlite_prints_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_engine.py"), "--db", url, "--quick"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["measure", "SQLite"]
    for row in ROWS:
        assert any(line.startswith(row) for line in lines), f"missing row: {row}\n{result.stdout}"
    assert "PostgreSQL" not in lines[0]


HTTP_ROWS = ("sign-in (POST)", "inbox: mine", "inbox: group", "inbox: done", "task page", "submit (POST)",
             "submit: redirect page", "case file", "case list", "person search", "instance list", "steering report",
             "API start", "API complete")


def test_http_benchmark_on_sqlite_prints_every_page_with_its_statements_and_the_inbox_plan(tmp_path):
    script = ROOT / "bench" / "bench_http.py"
    result = subprocess.run([sys.executable, str(script), "--db", "sqlite", "--sizes", "100", "--samples", "2"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for row in HTTP_ROWS:
        line = next((line for line in lines if line.startswith(row + " ")), None)
        assert line is not None, f"missing row: {row}\n{result.stdout}"
        assert int(line[25:].split()[3]) > 0, line  # the SQL statements column counted something
    plan = result.stdout.split("inbox query plan", 1)[1]
    assert "ix_human_task_unit_status_due" in plan and "SCAN human_task" not in plan
