"""Errors as application/problem+json (RFC 9457), with field errors; engine errors mapped to statuses."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask, HTTPError
from flask import Response, json

from engine import DefinitionError, FormErrors, KimflowError, NotFound, PermissionDenied, TaskAlreadyCompleted

PROBLEM = "application/problem+json"
TITLES = {400: "Ungültige Anfrage", 401: "Nicht angemeldet", 403: "Nicht erlaubt", 404: "Nicht gefunden",
          405: "Methode nicht erlaubt", 409: "Konflikt", 412: "Veraltete Fassung", 415: "Falscher Inhaltstyp",
          422: "Ungültige Daten", 428: "Fassung fehlt", 429: "Zu viele Anfragen", 500: "Interner Fehler"}


PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "messages": {"type": "array", "items": {"type": "string"}}}}},
    },
}


def problem(status: int, detail: str = "", errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """Return a problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Fehler"), "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    response.headers.update(headers or {})
    return response


def _field_errors(detail: Any) -> list[dict[str, Any]]:
    """Flatten APIFlask's {location: {field: [messages]}} into a list of field errors."""
    found: list[dict[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(m, str) for m in value):
            found.append({"field": prefix, "messages": value})
        else:
            found.append({"field": prefix, "messages": [str(value)]})

    walk("", detail)
    return found


def init_app(app: APIFlask) -> None:
    """Answer every error of the API as problem+json and document it so in the OpenAPI document."""

    @app.error_processor
    def _http_error(error: HTTPError) -> Response:
        errors = _field_errors(error.detail) if error.detail else None
        detail = str(error.message or "")
        return problem(error.status_code, detail, errors, {k: str(v) for k, v in dict(error.headers or {}).items()})

    @app.errorhandler(KimflowError)
    def _engine_error(error: KimflowError) -> Response:
        return engine_problem(error)

    @app.spec_processor
    def _document(spec: Any) -> Any:
        schemas = spec.get("components", {}).get("schemas", {})
        for path in spec.get("paths", {}).values():
            for operation in path.values():
                _problem_media_type(operation)
                _body_required(operation, schemas)
        return spec


def _problem_media_type(operation: dict) -> None:
    for status, answer in operation.get("responses", {}).items():
        content = answer.get("content", {})
        if str(status)[0] in "45" and "application/json" in content:
            answer["content"] = {PROBLEM: content["application/json"]}


def _body_required(operation: dict, schemas: dict) -> None:
    """Mark a JSON body required when its schema has required properties (APIFlask leaves it optional)."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = body.get("schema", {}).get("$ref", "")
    if schemas.get(ref.rsplit("/", 1)[-1], {}).get("required"):
        operation["requestBody"]["required"] = True

def engine_problem(error: KimflowError) -> Response:
    """Map an engine error to its status: field errors 422, unknown 404, refused 403, conflicts 409."""
    if isinstance(error, FormErrors):
        errors = [{"field": f"variables.{name}", "messages": messages} for name, messages in error.errors.items()]
        return problem(422, "Die Daten passen nicht zum Formular", errors)
    if isinstance(error, DefinitionError):
        return problem(422, "Die Definition wurde nicht bereitgestellt",
                       [{"field": f"files.{p.file or ''}", "messages": [str(p)]} for p in error.problems])
    if isinstance(error, NotFound):
        return problem(404, str(error))
    if isinstance(error, PermissionDenied):
        return problem(403, str(error))
    if isinstance(error, TaskAlreadyCompleted):
        return problem(409, str(error))
    return problem(409, str(error) or type(error).__name__)
