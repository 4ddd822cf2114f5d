"""The designers' own words for data: labels and choice names of every form field of the deployed processes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FormField, form_for
from engine.service.definitions import DefinitionLibrary
from engine.store import reference
from engine.store.models import DefinitionVersion


def field_catalogue(session: Session, library: DefinitionLibrary) -> dict[str, FormField]:
    """Return form fields by id across the latest version of every process (first definition wins).

    Kept per process until the next deploy: building it reads every newest version's file bundle.
    """
    return reference.cached(session, "field_catalogue", lambda current: _build(current, library))


def _build(session: Session, library: DefinitionLibrary) -> dict[str, FormField]:
    newest = (select(func.max(DefinitionVersion.id)).where(DefinitionVersion.kind == "process")
              .group_by(DefinitionVersion.process_id))
    rows = session.scalars(select(DefinitionVersion).where(DefinitionVersion.id.in_(newest))
                           .order_by(DefinitionVersion.process_id))
    catalogue: dict[str, FormField] = {}
    for row in rows:
        spec: Any = library.load(row).spec
        for task_spec in spec.task_specs.values():
            form = form_for(task_spec)
            for form_field in form.fields if form else []:
                catalogue.setdefault(form_field.id, form_field)
    return catalogue


def display_value(form_field: FormField | None, value: object) -> str:
    """Render a stored value as a person reads it: choice names, Ja/Nein, German dates."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or (form_field is not None and form_field.type == "boolean"):
        return "Ja" if value in (True, "true", "True", 1) else "Nein"
    if form_field is not None and form_field.options:
        names = dict(form_field.options)
        if isinstance(value, list):
            return ", ".join(names.get(str(v), str(v)) for v in value)
        return names.get(str(value), str(value))
    if form_field is not None and form_field.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
