"""Dependencies point one way: web -> workflows -> engine -> (SpiffWorkflow, SQLAlchemy)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FORBIDDEN = {
    "engine": {"flask", "flask_login", "flask_wtf", "flask_babel", "web", "workflows"},
    "workflows": {"flask", "flask_login", "flask_wtf", "flask_babel", "web"},
    "web": {"SpiffWorkflow"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_layer_imports_outward(package):
    leaks = {str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
             for path in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in leaks.items() if v} == {}


def test_the_check_itself_sees_an_outward_import(tmp_path):
    leaky = tmp_path / "leaky.py"
    leaky.write_text("from flask import Flask\nimport web.app\n")
    assert imported_roots(leaky) >= {"flask", "web"}
