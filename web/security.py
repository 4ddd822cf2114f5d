"""Request-side security: who is signed in, which roles may open a route, and audited denials.

Every view must declare who may open it: `public`, `login_required` or `roles_required(...)`.
The app refuses (404) any route that declares nothing, so a forgotten decorator fails closed.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from engine import Actor, Database, ProcessEngine, audit, reference_scope

ROLES = ("staff", "manager", "designer", "admin")
ACCESS_ATTR = "kimflow_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"
F = TypeVar("F", bound=Callable[..., Any])
MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger number in a URL names nothing


@dataclass
class Services:
    """What the web layer talks to: the database and the process engine."""

    db: Database
    engine: ProcessEngine


def services() -> Services:
    """Return the database and engine of the running app."""
    return current_app.extensions["kimflow"]


def current_actor() -> Actor:
    """Return the signed-in user as the engine's Actor (an anonymous actor without rights otherwise)."""
    if current_user.is_authenticated:
        return current_user.actor
    return Actor(name="anonym")


def access_of(view: Callable) -> Any:
    """Return what a view declared: PUBLIC, SIGNED_IN, a tuple of roles, or None."""
    return getattr(view, ACCESS_ATTR, None)


def _declare(view: F, access: Any) -> F:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: F) -> F:
    """Let anyone open this view, signed in or not (sign-in page, language switch)."""
    return _declare(view, PUBLIC)


def login_required(view: F) -> F:
    """Let every signed-in user open this view; anonymous users go to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        check_access(SIGNED_IN)
        return view(*args, **kwargs)

    return _declare(wrapper, SIGNED_IN)  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let only signed-in users with one of `roles` open this view; others get an audited 404."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}; known: {', '.join(ROLES)}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check_access(tuple(roles))
            return view(*args, **kwargs)

        return _declare(wrapper, tuple(roles))  # type: ignore[return-value]

    return decorate


def check_access(access: Any) -> None:
    """Abort the request unless the current user satisfies `access`."""
    if access == PUBLIC:
        return
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    if access == SIGNED_IN:
        return
    if not isinstance(access, tuple) or not set(access) & set(current_actor().roles):
        deny("role", required=list(access) if isinstance(access, tuple) else None)


def deny(reason: str, *, case_ref: str | None = None, task_id: str | None = None,
         instance_id: int | None = None, **details: Any) -> NoReturn:
    """Audit an access attempt outside the user's rights and answer 404, as if nothing were there."""
    record("access_denied", case_ref=case_ref, task_id=task_id, instance_id=instance_id, reason=reason,
           path=request.path, method=request.method, **details)
    abort(404)


def record(action: str, *, case_ref: str | None = None, task_id: str | None = None,
           instance_id: int | None = None, legal_basis: str | None = None, **details: Any) -> None:
    """Write one audit event in its own transaction, as the current user."""
    with services().db.unit_of_work() as session:
        audit.record(session, current_actor().name, action, case_ref=case_ref, task_id=task_id,
                     instance_id=instance_id, legal_basis=legal_basis, **details)


def guard_every_route(app: Flask) -> None:
    """Refuse any request whose view declares no access rule; check declared rules before blueprints run."""

    @app.before_request
    def _guard():
        if request.endpoint is None:
            return None  # Flask answers 404 itself
        view = app.view_functions.get(request.endpoint)
        static = request.endpoint == "static" or request.endpoint.endswith(".static")
        access = PUBLIC if static else access_of(view) if view is not None else None
        if access is None:
            deny("undeclared_route", endpoint=request.endpoint)
        g.kimflow_access = access
        check_access(access)
        return None


class BoundedIntConverter(IntegerConverter):
    """Match `<int:...>` only up to the largest id a database column holds (beyond it: 404, not an overflow)."""

    def __init__(self, url_map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any("\x00" in key or "\x00" in value for key, value in fields):
        return True
    if any("\x00" in key or "\x00" in (upload.filename or "") for key, upload in request.files.items(multi=True)):
        return True
    body = request.get_data(cache=True) if request.is_json else b""
    return b"\x00" in body or b"\\u0000" in body


def refuse_nul(app: Flask) -> None:
    """Answer 400 to a NUL character in the path, query, form, file names or JSON, before any database sees it."""

    @app.before_request
    def _no_nul():
        if _has_nul():
            abort(400)
        return None


def attachment(filename: str) -> str:
    """Return a Content-Disposition value that offers `filename` for download (RFC 6266, no header injection)."""
    name = "".join(c for c in filename if unicodedata.category(c)[0] != "C").strip() or "download"
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in fallback if c not in '"\\;') or "download"
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def read_reference_revision_once_per_request(app: Flask) -> None:
    """Open the engine's reference scope for each request (register first: the sign-in check reads the revision)."""

    @app.before_request
    def _open_reference_scope():
        g.reference_scope = reference_scope.open_scope()

    @app.teardown_request
    def _close_reference_scope(_error):
        token = g.pop("reference_scope", None)
        if token is not None:
            reference_scope.close_scope(token)
