"""Turn a task form and its data into what the template renders, keeping whatever the user typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from flask_babel import gettext as _

from engine import Form, FormField, clock, date_bound, local_date
from web.i18n import date_text

INPUT_TYPES = {"string": "text", "long": "number", "date": "date"}
DECIMAL_TYPES = ("double", "decimal")  # amounts: typed and shown in German notation (1.234,50)
TEXTAREA_MIN_LENGTH = 200


def german_amount(value: Any) -> str:
    """Show a stored amount in German notation (1234.5 -> 1.234,50); typed text stays as typed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    text = f"{value:,.2f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


@dataclass
class RenderedField:
    """One form field with its current value and German errors, ready for the template."""

    field: FormField
    value: Any
    errors: list[str] = dataclass_field(default_factory=list)

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.field.type, "text")

    @property
    def bounds(self) -> tuple[object | None, object | None]:
        """Return the (min, max) the browser may check too: numbers as declared, date bounds as days."""
        if self.field.type != "date":
            return self.field.min, self.field.max
        today = local_date(clock.now())
        return tuple(date_bound(b, today).isoformat() if b is not None else None  # type: ignore[return-value]
                     for b in (self.field.min_date, self.field.max_date))

    @property
    def multiline(self) -> bool:
        return self.field.type == "string" and (self.field.maxlength or 0) >= TEXTAREA_MIN_LENGTH

    @property
    def checked(self) -> bool:
        return str(self.value).strip().lower() in ("true", "on", "1", "ja", "yes")

    @property
    def decimal(self) -> bool:
        return self.field.type in DECIMAL_TYPES

    @property
    def text(self) -> str:
        if self.decimal:
            return german_amount(self.value)
        return "" if self.value is None else str(self.value)

    @property
    def display(self) -> str:
        """Return the value as a person reads it (dates in the user's format, yes/no)."""
        if self.field.type == "date" and self.value:
            return date_text(self.value)
        if self.field.type == "boolean":
            return str(_("ja") if self.checked else _("nein"))
        if self.field.type == "enum":
            return dict(self.field.options).get(self.text, self.text)
        return self.text


def rendered_fields(form: Form | None, data: Mapping[str, Any], submitted: Mapping[str, Any] | None = None,
                    errors: Mapping[str, list[str]] | None = None) -> list[RenderedField]:
    """Return the fields with submitted values first, then draft/process data, then defaults."""
    if form is None:
        return []
    result = []
    for form_field in form.fields:
        if submitted is not None and not form_field.readonly:
            value = submitted.get(form_field.id, "" if form_field.type != "boolean" else "false")
        elif form_field.id in data and data[form_field.id] is not None:
            value = data[form_field.id]
        else:
            value = form_field.default
        result.append(RenderedField(form_field, value, list((errors or {}).get(form_field.id, []))))
    return result


def submitted_values(form: Form | None, raw: Mapping[str, str]) -> dict[str, str]:
    """Return the submitted values of the form's own fields (checkboxes as "true"/"false")."""
    if form is None:
        return {}
    values = {}
    for form_field in form.fields:
        if form_field.readonly:
            continue
        if form_field.type == "boolean":
            ticked = str(raw.get(form_field.id, "")).strip().lower() in ("true", "on", "1")
            values[form_field.id] = "true" if ticked else "false"
        else:
            values[form_field.id] = str(raw.get(form_field.id, ""))[:10000]
    return values
