"""Form definitions of user tasks and server-side validation (first cut)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class FormField:
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


@dataclass
class Form:
    key: str | None
    fields: list[FormField]

    def validate(self, data: Mapping) -> tuple[dict, dict[str, list[str]]]:
        clean: dict = {}
        errors: dict[str, list[str]] = {}
        for f in self.fields:
            value = data.get(f.id)
            if f.required and value in (None, ""):
                errors.setdefault(f.id, []).append("Pflichtfeld")
            elif value is not None:
                clean[f.id] = value
        return clean, errors


def form_for(task_spec) -> Form | None:
    form = getattr(task_spec, "form", None)
    if form is None or not getattr(form, "fields", None):
        return None
    fields = [FormField(id=f.id, label=f.label or f.id, type=f.type or "string",
                        required=any(v.name == "required" for v in f.validation)) for f in form.fields]
    return Form(key=getattr(form, "key", None), fields=fields)
