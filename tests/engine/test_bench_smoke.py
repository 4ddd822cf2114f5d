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
