"""A task form as JSON Schema (2020-12), so a client can build and check its input like the browser does."""

from __future__ import annotations

from typing import Any

from engine import Form, FormField

TYPES = {"string": {"type": "string"}, "long": {"type": "integer"}, "double": {"type": "number"},
         "decimal": {"type": "number"}, "boolean": {"type": "boolean"},
         "date": {"type": "string", "format": "date"}, "enum": {"type": "string"}}


def _property(field: FormField) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": field.label, **TYPES.get(field.type, {"type": "string"})}
    if field.options:
        schema["oneOf"] = [{"const": value, "title": label} for value, label in field.options]
    limits = {"minimum": field.min, "maximum": field.max, "minLength": field.minlength,
              "maxLength": field.maxlength, "default": field.default}
    schema.update({k: v for k, v in limits.items() if v is not None})
    if field.readonly:
        schema["readOnly"] = True
    return schema


def json_schema(form: Form | None) -> dict[str, Any]:
    """Return the JSON Schema of a form (an empty object schema when the task has no form)."""
    fields = form.fields if form else []
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {f.id: _property(f) for f in fields},
            "required": [f.id for f in fields if f.required and not f.readonly]}
