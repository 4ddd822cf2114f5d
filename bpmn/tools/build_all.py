"""Regenerate bpmn/*.bpmn and bpmn/*.dmn from the definitions in this folder.

Run: .venv/bin/python bpmn/tools/build_all.py
"""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import decisions  # noqa: E402

PROCESSES = ["kim_case", "benefit_transfer", "work_permit", "naturalisation"]


def main() -> None:
    """Write every process and decision table next to this folder."""
    out = HERE.parent
    for name in PROCESSES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        (out / f"{name}.bpmn").write_text(module.build().to_xml(), encoding="utf-8")
    for table in decisions.ALL:
        t = table()
        (out / f"{t.did}.dmn").write_text(t.to_xml(), encoding="utf-8")


if __name__ == "__main__":
    main()
