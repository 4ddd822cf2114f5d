"""The architecture holds: import-linter contracts, a generic engine, small modules, one façade."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from workflows.catalogue import OFFICE_CODES

ROOT = Path(__file__).parent.parent
PACKAGES = ("engine", "workflows", "web")
MAX_LINES = 400
LINT_IMPORTS = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run([*LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False,
                          env=env)


def test_the_import_contracts_hold():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("engine/core/leak.py", "from engine.service import engine\n", "engine subpackages in one-way layers"),
    ("engine/read/leak.py", "import workflows.catalogue\n", "the engine is generic"),
    ("web/leak.py", "from engine.store import db\n", "web uses the engine's public API only"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, line, contract):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("node_modules", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(line)
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert f"{contract}" in done.stdout and "BROKEN" in done.stdout


def test_no_module_is_longer_than_400_lines():
    long = {str(p.relative_to(ROOT)): n for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _kim_names() -> set[str]:
    """Office codes, process ids and element ids of the KIM library that are KIM-specific words."""
    names = set(OFFICE_CODES)
    for path in [*(ROOT / "bpmn").glob("*.bpmn"), *(ROOT / "bpmn").glob("*.dmn")]:
        names |= {el.get("id") for el in etree.parse(str(path)).iter() if el.get("id") and "_" in el.get("id")}
    return names


def test_the_engine_names_no_kim_office_process_or_element():
    quoted = re.compile(r"""["']([a-z][a-z0-9_]*)["']""")
    leaks = {}
    for path in (ROOT / "engine").rglob("*.py"):
        found = set(quoted.findall(path.read_text(encoding="utf-8"))) & _kim_names()
        if found:
            leaks[str(path.relative_to(ROOT))] = sorted(found)
    assert leaks == {}


def test_nothing_outside_the_service_layer_calls_the_facades_private_helpers():
    private = re.compile(r"\b(?:engine|self\.engine|runner|kim|staffed)\._(?:start|route_events|instance|workable|"
                         r"human|writing|verb|complete|correlate)\(")
    callers = [str(p.relative_to(ROOT)) for package in (*PACKAGES, "tests", "bench")
               for p in (ROOT / package).rglob("*.py") if private.search(p.read_text(encoding="utf-8"))]
    assert callers == []
