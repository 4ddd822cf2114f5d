"""Form definitions of user tasks (camunda:formData) and server-side validation of submitted data.

Rules the web layer relies on:
- Only fields of the form reach the clean data; any other submitted key is dropped silently.
- A readonly field is display-only: a submitted value is ignored and never written.
- A field absent from the submission takes its default; a blank field becomes None.
- A missing boolean (an unchecked checkbox) is False, so `required` does not apply to booleans.
- A date field's min/max is an ISO date or `today`, optionally with an ISO 8601 period (`today-P18Y`),
  resolved against the district's calendar day when the form is submitted.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from engine.bpmn.form_values import (
    ConversionError,
    format_number,
    is_blank,
    to_boolean,
    to_decimal,
    to_iso_date,
    to_long,
    to_string,
)
from engine.core import clock
from engine.core.localtime import german_date, local_date

FIELD_TYPES = ("string", "long", "double", "decimal", "boolean", "date", "enum")
CONSTRAINTS = ("required", "readonly", "min", "max", "minlength", "maxlength")
_CONVERTERS: dict[str, Callable[[object], object]] = {
    "string": to_string, "long": to_long, "double": to_decimal, "decimal": to_decimal, "boolean": to_boolean,
    "date": to_iso_date, "enum": to_string,
}
NUMBER_TYPES = ("long", "double", "decimal")


@dataclass
class FormField:
    """One input of a user task form, ready for rendering and validation."""

    id: str
    label: str
    type: str = "string"
    required: bool = False
    readonly: bool = False
    default: object = None
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    min_date: str | None = None  # a date field's bounds as declared (see date_bound)
    max_date: str | None = None

    def convert(self, raw: object) -> tuple[object, list[str]]:
        """Convert one submitted value and return (value, German errors)."""
        if self.type != "boolean" and is_blank(raw):
            return None, (["Pflichtfeld"] if self.required else [])
        try:
            value = _CONVERTERS.get(self.type, to_string)(raw)
        except ConversionError as exc:
            return None, [str(exc)]
        return value, self._limits(value)

    def _limits(self, value: object) -> list[str]:
        errors: list[str] = []
        if self.type == "enum" and value not in {option_id for option_id, _label in self.options}:
            errors.append("Ungültige Auswahl")
        if isinstance(value, str) and self.type == "string":
            if self.minlength is not None and len(value) < self.minlength:
                errors.append(f"Mindestens {self.minlength} Zeichen")
            if self.maxlength is not None and len(value) > self.maxlength:
                errors.append(f"Höchstens {self.maxlength} Zeichen")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.min is not None and value < self.min:
                errors.append(f"Wert muss ≥ {format_number(self.min)} sein")
            if self.max is not None and value > self.max:
                errors.append(f"Wert muss ≤ {format_number(self.max)} sein")
        if self.type == "date" and isinstance(value, str):
            errors.extend(self._date_limits(date.fromisoformat(value)))
        return errors

    def _date_limits(self, day: date) -> list[str]:
        today = local_date(clock.now())
        if self.min_date is not None and day < (earliest := date_bound(self.min_date, today)):
            return [f"Das Datum darf nicht vor dem {german_date(earliest)} liegen"]
        if self.max_date is not None and day > (latest := date_bound(self.max_date, today)):
            return [f"Das Datum darf nicht nach dem {german_date(latest)} liegen"]
        return []


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RELATIVE_DAY = re.compile(r"^today(?:(?P<sign>[+-])P(?=\d)(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?"
                           r"(?:(?P<d>\d+)D)?)?$")


def date_bound(text: object, today: date) -> date:
    """Return the day a date bound names: an ISO date, or 'today' plus or minus an ISO 8601 period (P1Y2M3D)."""
    spec = str(text).strip()
    if _ISO_DAY.match(spec):
        return date.fromisoformat(spec)
    found = _RELATIVE_DAY.match(spec)
    if found is None:
        raise ValueError(spec)
    factor = -1 if found["sign"] == "-" else 1
    months = today.month - 1 + factor * (int(found["y"] or 0) * 12 + int(found["m"] or 0))
    year, month = today.year + months // 12, months % 12 + 1
    shifted = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return shifted + timedelta(days=factor * (int(found["w"] or 0) * 7 + int(found["d"] or 0)))


@dataclass
class Form:
    """The fields of one user task form."""

    key: str | None
    fields: list[FormField]

    def field(self, field_id: str) -> FormField | None:
        """Return the field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    def validate(self, data: Mapping) -> tuple[dict, dict[str, list[str]]]:
        """Convert and check submitted data; return (clean data, German errors per field id)."""
        clean: dict = {}
        errors: dict[str, list[str]] = {}
        for form_field in self.fields:
            if form_field.readonly:
                continue
            if form_field.id not in data and form_field.type != "boolean":
                if form_field.default is not None:
                    clean[form_field.id] = form_field.default
                    continue
            value, field_errors = form_field.convert(data.get(form_field.id))
            if field_errors:
                errors[form_field.id] = field_errors
            else:
                clean[form_field.id] = value
        return clean, errors


def _number(config: object, name: str, problems: list[str], *, integer: bool = False) -> float | None:
    try:
        value = float(str(config).strip())
    except (TypeError, ValueError):
        problems.append(f"Die Validierung »{name}« braucht eine Zahl, nicht »{config}«.")
        return None
    if integer and (not value.is_integer() or value < 0):
        problems.append(f"Die Validierung »{name}« braucht eine ganze Zahl ≥ 0, nicht »{config}«.")
        return None
    return int(value) if integer or value.is_integer() else value


def _apply_constraint(target: FormField, name: str, config: object, problems: list[str]) -> None:
    if name in ("required", "readonly"):
        setattr(target, name, True)
    elif name in ("min", "max") and target.type == "date":
        _apply_date_bound(target, name, config, problems)
    elif name in ("min", "max"):
        if target.type not in NUMBER_TYPES:
            problems.append(f"Die Validierung »{name}« gilt nur für Zahlenfelder ({', '.join(NUMBER_TYPES)}).")
        setattr(target, name, _number(config, name, problems))
    elif name in ("minlength", "maxlength"):
        if target.type != "string":
            problems.append(f"Die Validierung »{name}« gilt nur für Textfelder (string).")
        setattr(target, name, _number(config, name, problems, integer=True))
    else:
        problems.append(f"Die Validierung »{name}« wird nicht unterstützt "
                        f"(erlaubt: {', '.join(CONSTRAINTS)}).")


def _apply_date_bound(target: FormField, name: str, config: object, problems: list[str]) -> None:
    try:
        date_bound(config, local_date(clock.now()))
    except ValueError:
        problems.append(f"Die Validierung »{name}« eines Datumsfelds braucht ein Datum (JJJJ-MM-TT) oder »today«, "
                        f"auch mit Abstand wie »today-P18Y« oder »today+P30D«, nicht »{config}«.")
        return
    setattr(target, f"{name}_date", str(config).strip())


def _field_from_spiff(spiff_field) -> tuple[FormField, list[str]]:
    problems: list[str] = []
    field_id = spiff_field.id or ""
    field_type = spiff_field.type or "string"
    if not field_id.isidentifier():
        problems.append(f"Die Feld-ID »{field_id}« muss ein gültiger Variablenname sein "
                        "(Buchstaben, Ziffern, _; nicht mit einer Ziffer beginnend).")
    if field_type not in FIELD_TYPES:
        problems.append(f"Der Feldtyp »{field_type}« wird nicht unterstützt "
                        f"(erlaubt: {', '.join(FIELD_TYPES)}).")
    options = [(option.id, option.name or option.id) for option in getattr(spiff_field, "options", [])]
    if field_type == "enum" and not options:
        problems.append("Das Auswahlfeld hat keine Optionen.")
    result = FormField(id=field_id, label=spiff_field.label or field_id, type=field_type, options=options)
    for validation in spiff_field.validation:
        _apply_constraint(result, validation.name, validation.config, problems)
    _check_ranges(result, problems)
    raw_default = spiff_field.default_value
    if not is_blank(raw_default) and field_type in FIELD_TYPES:
        try:
            result.default = _CONVERTERS[field_type](raw_default)
        except ConversionError:
            problems.append(f"Der Vorgabewert »{raw_default}« passt nicht zum Feldtyp {field_type}.")
    return result, [f"Formularfeld »{field_id}«: {message}" for message in problems]


def _check_ranges(target: FormField, problems: list[str]) -> None:
    if target.min is not None and target.max is not None and target.min > target.max:
        problems.append("»min« ist größer als »max«.")
    if target.minlength is not None and target.maxlength is not None and target.minlength > target.maxlength:
        problems.append("»minlength« ist größer als »maxlength«.")
    if target.min_date is not None and target.max_date is not None:
        today = local_date(clock.now())
        if date_bound(target.min_date, today) > date_bound(target.max_date, today):
            problems.append("»min« liegt nach »max«.")


def build_form(spiff_form) -> tuple[Form | None, list[str]]:
    """Build a Form from SpiffWorkflow's Camunda form; return it with German definition problems."""
    if spiff_form is None or not getattr(spiff_form, "fields", None):
        return None, []
    fields: list[FormField] = []
    problems: list[str] = []
    seen: set[str] = set()
    for spiff_field in spiff_form.fields:
        form_field, field_problems = _field_from_spiff(spiff_field)
        problems.extend(field_problems)
        if form_field.id in seen:
            problems.append(f"Die Feld-ID »{form_field.id}« ist im Formular doppelt vergeben.")
        seen.add(form_field.id)
        fields.append(form_field)
    return Form(key=getattr(spiff_form, "key", None) or None, fields=fields), problems


def form_for(task_spec) -> Form | None:
    """Return the form of a user task spec, or None when it has no camunda:formData fields."""
    form, _problems = build_form(getattr(task_spec, "form", None))
    return form
