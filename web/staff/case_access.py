"""Case data as the signed-in user may see it: every read goes through workflows.cases.visibility (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import abort, g
from flask_babel import lazy_gettext as _l

from engine import FormField, HumanTask, NotFound, clock, display_value, field_catalogue
from web.i18n import date_text, number_text
from web.security import current_actor, deny, services
from workflows.cases.visibility import CaseView, visible_case
from workflows.catalogue import CASE_MANAGEMENT

FIELD_LABELS = {
    "given_name": _l("Vorname"), "family_name": _l("Familienname"), "birth_date": _l("Geburtsdatum"),
    "nationality": _l("Staatsangehörigkeit"), "household": _l("Haushalt"), "residence_status": _l("Aufenthaltsstatus"),
    "languages": _l("Sprachen"), "referral_source": _l("Zugang über"), "closure_reason": _l("Abschlussgrund"),
    "retention_until": _l("Aufbewahrung bis"),
}
CATEGORY_LABELS = {
    "stammdaten": _l("Stammdaten"), "aufenthalt": _l("Aufenthalt"), "leistungen": _l("Leistungen"),
    "gesundheit": _l("Gesundheit"), "arbeit": _l("Arbeit"), "sprache": _l("Sprache"),
}


# Case columns filled from a form field of another name: their values read as that field's choice names.
FORM_FIELD_OF = {"residence_status": "residence_title", "referral_source": "source"}


def case_or_404(case_ref: str) -> CaseView:
    """Return what the user may see of the case; a refusal is audited by the engine and answered with 404."""
    try:
        with services().db.unit_of_work() as session:
            return visible_case(session, case_ref, current_actor(), clock.now())
    except NotFound:
        abort(404)


def _case_management_only(case_ref: str, reason: str, task_id: str | None = None) -> CaseView:
    """Return the case for its full view (case management, coordination); anyone else gets an audited 404."""
    view = case_or_404(case_ref)
    if not view.full:
        deny(reason, case_ref=case_ref, task_id=task_id)
    return view


def summary(case_ref: str, task: HumanTask | None = None) -> CaseView | None:
    """Return the case summary for a task page, or None when nothing of the case is released.

    `task` is the page's task: when it is the user's and open, it is the task basis without a query.
    """
    try:
        with services().db.unit_of_work() as session:
            return visible_case(session, case_ref, current_actor(), clock.now(), held_task=task)
    except NotFound:
        return None


def form_fields() -> dict[str, FormField]:
    """Return the designers' form fields by id, looked up once per request."""
    if "kimflow_form_fields" not in g:
        with services().db.reading() as session:
            g.kimflow_form_fields = field_catalogue(session, services().engine.library)
    return g.kimflow_form_fields


def manages(view: CaseView) -> bool:
    """Tell whether the user is the case management of this case (may edit consents)."""
    return view.full and CASE_MANAGEMENT in current_actor().offices


def display_fields(view: CaseView) -> list[tuple[str, object]]:
    """Return (label, value) pairs of the released fields that have a value, in the designers' words."""
    catalogue = form_fields()  # fields filled from forms (e.g. the clearing) carry the form's label and choice names
    result: list[tuple[str, object]] = []
    copies = {field_id for column, field_id in FORM_FIELD_OF.items()
              if view.fields.get(column) is not None and view.fields.get(column) == view.fields.get(field_id)}
    for key, value in view.fields.items():
        if value in (None, "", [], {}) or key in copies:  # the form's copy of a case column is shown once
            continue
        form_field = catalogue.get(FORM_FIELD_OF.get(key, key))
        if isinstance(value, list) and form_field is None:
            value = ", ".join(_item(v) for v in value)
        elif isinstance(value, dt.date):
            value = date_text(value)
        else:
            value = readable(form_field, value) if form_field is not None else display_value(None, value)
        label = FIELD_LABELS.get(key) or (form_field.label if form_field else key.replace("_", " ").capitalize())
        result.append((label, value))
    return result


KEY_FACTS = ("birth_date", "nationality", "residence_status", "languages")


def header(view: CaseView) -> dict[str, object]:
    """Return the person's name and key facts for the top of the case file, as far as they are released."""
    name = ", ".join(str(p) for p in (view.fields.get("family_name"), view.fields.get("given_name")) if p)
    facts = display_fields(replace(view, fields={k: view.fields[k] for k in KEY_FACTS if k in view.fields}))
    return {"name": name, "facts": facts}


def readable(form_field: FormField, value: object) -> str:
    """Render a stored value as the form says it: option names, Ja/Nein, local dates and decimals."""
    if value is None or value == "" or value == []:
        return "–"
    if form_field.type == "boolean" or isinstance(value, bool):
        return str(_l("Ja") if value in (True, "true", "True", 1) else _l("Nein"))
    if form_field.options:
        names = dict(form_field.options)
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(v), str(v)) for v in values)
    if form_field.type == "date" or isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _item(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    return str(value)


BASIS_LABELS = {"administration": _l("Administration"), "case coordination": _l("KIM-Koordination"),
                "case management": _l("zuständiges Fallmanagement"), "legal basis: task": _l("eigene Aufgabe im Fall")}
STATUS_LABELS = {"open": _l("offen"), "closed": _l("abgeschlossen"), "anonymised": _l("anonymisiert")}


def basis_text(basis: str) -> str:
    """Translate the engine's basis names ("consent #3, legal basis: task") for people."""
    parts = []
    for part in (p.strip() for p in basis.split(",")):
        if part.startswith("consent #"):
            parts.append(_l("Einwilligung Nr. %(n)s", n=part.removeprefix("consent #")))
        elif part in BASIS_LABELS:
            parts.append(BASIS_LABELS[part])
        elif part.startswith("legal basis: "):
            parts.append(_l("Rechtsgrundlage %(basis)s", basis=part.removeprefix("legal basis: ")))
        else:
            parts.append(part)
    return ", ".join(str(p) for p in parts)


def status_text(status: str) -> str:
    """Name a case status in the user's language."""
    return str(STATUS_LABELS.get(status, status))
