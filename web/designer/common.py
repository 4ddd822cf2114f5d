"""Helpers shared by the designer's pages and JSON endpoints."""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort

from engine import Designer
from web.security import services
from workflows.library import bpmn_dir

KINDS = ("process", "decision")


def designer() -> Designer:
    """Return the designer façade over the app's engine."""
    return Designer(services().engine)


def checked_kind(kind: str) -> str:
    """Return the kind from the URL, or answer 404."""
    if kind not in KINDS:
        abort(404)
    return kind


def suffix(kind: str) -> str:
    return ".dmn" if kind == "decision" else ".bpmn"


def shipped_scenarios(process_id: str, file_name: str) -> str | None:
    """Return the text of the scenario file shipped for a process in the library (bpmn/), if any."""
    try:
        folder = bpmn_dir()
    except FileNotFoundError:
        return None
    sibling = folder / (Path(file_name).stem + ".scenarios.json")
    candidates = [sibling] + sorted(p for p in folder.glob("*.scenarios.json") if p != sibling)
    for path in candidates:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        try:
            declared = json.loads(text).get("process")
        except (ValueError, AttributeError):
            continue  # a broken file is reported by `kimflow scenarios`, not here
        if declared == process_id or (declared is None and path == sibling):
            return text
    return None
