"""Put the codes and account names the management and designer pages hold into words a person reads."""

from __future__ import annotations

from flask import Blueprint, g
from flask_babel import get_locale

from engine import NotFound, org
from engine import inbox as inbox_queries
from web.security import services
from workflows.catalogue import OFFICES, municipality_name, office_name


def area_label(area: str | None) -> str:
    """Return a municipality's name for its area code ("neuss" -> "Neuss")."""
    return municipality_name(area)


def office_label(code: str | None) -> str:
    """Return an office's name in the user's language ("abh" -> "Ausländerbehörde")."""
    return office_name(code, str(get_locale())) if code else ""


def _unit_names() -> dict[str, str]:
    if "unit_names" not in g:
        with services().db.reading() as session:
            g.unit_names = org.unit_names(session)
    return g.unit_names


def unit_label(code: str | None) -> str:
    """Return a unit's name for its code; an office code reads as the office's name."""
    if not code:
        return ""
    return _unit_names().get(code) or (office_label(code) if code in OFFICES else code)


def unit_choices() -> list[tuple[str, str]]:
    """Return (code, name) of every unit, by name, for a filter."""
    return sorted(_unit_names().items(), key=lambda pair: pair[1])


def process_label(process_id: str | None) -> str:
    """Return a process's name as its newest version calls it ("kim_case" -> "KIM-Fallmanagement")."""
    if not process_id:
        return ""
    if "process_names" not in g:
        with services().db.reading() as session:
            g.process_names = inbox_queries.process_names(session)
    return g.process_names.get(process_id, process_id)


def step_label(process_id: str | None, version: int | None, element_id: str | None) -> str:
    """Return a step's name as its diagram calls it; its id where the diagram gives none or is gone."""
    if not process_id or not element_id:
        return element_id or ""
    names = g.setdefault("element_names", {})
    if (process_id, version) not in names:
        try:
            names[process_id, version] = services().engine.element_names(process_id, version)
        except NotFound:
            names[process_id, version] = {}
    return names[process_id, version].get(element_id, element_id)


def person_name(username: str | None) -> str:
    """Return an account's display name; an account unknown here (a system actor) keeps its name."""
    if not username:
        return ""
    if "display_names" not in g:
        with services().db.reading() as session:
            g.display_names = org.display_names(session)  # cached per process: no statement while current
    return g.display_names.get(username) or username


def register(bp: Blueprint) -> None:
    """Offer the labels to every template as filters."""
    for name, function in (("area_label", area_label), ("office_label", office_label), ("unit_label", unit_label),
                           ("person_name", person_name), ("process_label", process_label)):
        bp.add_app_template_filter(function, name)
    bp.add_app_template_global(unit_choices, "unit_choices")
    bp.add_app_template_global(step_label, "step_label")
