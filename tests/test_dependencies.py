"""Every library the product imports is a declared runtime dependency, so a plain install starts.

(A module imported only by the OpenID client once needed a package that only the test extras installed.)
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"engine", "workflows", "web", "bench", "tests"}


def _imported_top_levels() -> dict[str, str]:
    """Return each third-party top-level module the product imports, with one file that imports it."""
    found: dict[str, str] = {}
    for package in ("engine", "workflows", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                         else [])
                for name in names:
                    top = name.split(".")[0]
                    if top not in FIRST_PARTY and top not in sys.stdlib_module_names:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_library_is_a_declared_runtime_dependency():
    declared = {_normal(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0])
                for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    providers = packages_distributions()
    missing = {module: where for module, where in _imported_top_levels().items()
               if not {_normal(d) for d in providers.get(module, [module])} & declared}
    assert missing == {}, f"imported but not declared in [project].dependencies: {missing}"
