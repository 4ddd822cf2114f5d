"""The API app: an APIFlask app mounted at /api/v1 beside the staff app, sharing its engine and database.

A separate WSGI app keeps the API free of the browser's session, sign-in and CSRF machinery.
"""

from __future__ import annotations

from apiflask import APIFlask
from flask import Flask, Response, render_template, request, url_for
from flask_limiter import Limiter
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from web.api import auth, problems
from web.security import read_reference_revision_once_per_request

PREFIX = "/api/v1"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


def create_api(parent: Flask) -> APIFlask:
    """Build the API app for the staff app `parent` (same engine, same database, own config)."""
    api = APIFlask("web.api", title="kimflow API", version="1", spec_path="/openapi.json", docs_path=None,
                   template_folder="../templates", static_folder="../static/vendor/swagger-ui",
                   static_url_path="/docs/assets")
    api.config.update(
        SERVERS=[{"url": PREFIX}], AUTO_SERVERS=False, TESTING=parent.config.get("TESTING", False),
        DESCRIPTION="Prozesse starten, Nachrichten zustellen, Aufgaben bearbeiten: kimflow für Fachverfahren.",
        API_OIDC_ISSUER=parent.config.get("API_OIDC_ISSUER"), API_OIDC_AUDIENCE=parent.config.get("API_OIDC_AUDIENCE"),
        RATELIMIT_STORAGE_URI=parent.config.get("API_RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_DEFAULT=parent.config.get("API_RATELIMIT", "600 per minute"),
        RATELIMIT_HEADERS_ENABLED=True, HTTP_ERROR_SCHEMA=problems.PROBLEM_SCHEMA,
        VALIDATION_ERROR_SCHEMA=problems.PROBLEM_SCHEMA,
    )
    api.extensions["kimflow"] = parent.extensions["kimflow"]
    read_reference_revision_once_per_request(api)  # first: the token check reads the revision for the request
    problems.init_app(api)
    auth.init_app(api)
    Limiter(_limit_key, app=api, default_limits=[api.config["RATELIMIT_DEFAULT"]])
    _register(api)
    _refuse_nul(api)
    _headers(api)
    return api


def _limit_key() -> str:
    """Count requests per credential (the header's digest), not per address."""
    import hashlib

    header = request.headers.get("Authorization", "")
    return "api:" + hashlib.sha256(header.encode()).hexdigest()[:32] if header else "api-anon:" + (
        request.remote_addr or "-")


def _register(api: APIFlask) -> None:
    from web.api import definitions, external_tasks, hooks, instances, operations, tasks

    for module in (definitions, instances, tasks, operations, external_tasks, hooks):
        api.register_blueprint(module.bp)

    @api.get("/docs")
    @api.doc(hide=True)
    def docs() -> str:
        """Show the interactive API documentation (assets served by kimflow itself)."""
        return render_template("api/docs.html", spec_url=url_for("openapi.spec"),
                               static=lambda name: url_for("static", filename=name))


def _refuse_nul(api: APIFlask) -> None:
    """Refuse NUL characters before they reach the database (PostgreSQL text cannot hold them)."""

    @api.before_request
    def _no_nul():
        if "\x00" in request.path:
            return problems.problem(404, "Diese Adresse gibt es nicht")
        body = request.get_data(cache=True)
        if "\x00" in request.query_string.decode("latin-1") or b"\\u0000" in body or b"\x00" in body \
                or "%00" in request.query_string.decode("latin-1"):
            return problems.problem(422, "Steuerzeichen NUL ist nicht erlaubt",
                                    [{"field": "", "messages": ["NUL (\\u0000) ist nicht erlaubt"]}])
        return None


def _headers(api: APIFlask) -> None:
    @api.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def mount(parent: Flask) -> None:
    """Serve the API under /api/v1 of the staff app."""
    parent.wsgi_app = DispatcherMiddleware(parent.wsgi_app, {PREFIX: create_api(parent)})  # type: ignore[method-assign]
