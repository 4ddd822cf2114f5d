"""Helpers shared by the designer's pages and JSON endpoints."""

from __future__ import annotations

from flask import abort

from engine import Designer
from web.security import services

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
