"""The Flask app factory: the web composition root (engine + KIM extensions + blueprints)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import Database, ProcessEngine
from web import config as web_config
from web import i18n, logging_setup, ops
from web.security import (
    BoundedIntConverter,
    Services,
    guard_every_route,
    read_reference_revision_once_per_request,
    refuse_nul,
)

OPTIONAL_BLUEPRINTS = ("web.designer", "web.manage", "web.api")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS (or the config says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the kimflow web app: config, engine, sign-in, CSRF, translations, headers, blueprints."""
    from web import errors
    from web.cli import kim_extensions

    app = Flask(__name__)
    app.url_map.converters["int"] = BoundedIntConverter  # before any blueprint adds its rules
    app.config.update(web_config.from_environment())
    app.config.update(overrides or {})
    web_config.ensure_secret_key(app.config)
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()
    db = Database(app.config["DATABASE_URL"])
    app.extensions["kimflow"] = Services(db=db, engine=ProcessEngine(db, kim_extensions()))
    read_reference_revision_once_per_request(app)  # first: the sign-in check reads the revision for the request
    CSRFProtect(app)
    i18n.init_app(app)
    _init_login(app)
    _init_session_expiry(app)  # before the guard, so an idle session is signed out rather than refused
    errors.init_app(app)
    refuse_nul(app)  # before the guard, whose audit row would carry the NUL to the database
    guard_every_route(app)
    _init_headers(app)
    _register_blueprints(app)
    ops.init_app(app)
    logging_setup.init_app(app)
    return app


def _init_login(app: Flask) -> None:
    from web.accounts import load_user

    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Bitte melden Sie sich an.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)


def _init_session_expiry(app: Flask) -> None:
    @app.before_request
    def _expire_idle_session():
        if not current_user.is_authenticated:
            return None
        now = dt.datetime.now(dt.UTC).timestamp()
        seen = session.get("seen", now)
        if now - seen > app.config["PERMANENT_SESSION_LIFETIME"].total_seconds():
            logout_user()
            session.clear()
            flash(_("Ihre Sitzung ist wegen Inaktivität abgelaufen. Bitte melden Sie sich erneut an."), "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        session["seen"] = now
        session.permanent = True
        return None


def _init_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _register_blueprints(app: Flask) -> None:
    from web.admin import bp as admin_bp
    from web.auth import bp as auth_bp
    from web.cases import bp as cases_bp
    from web.staff import bp as staff_bp

    for blueprint in (auth_bp, staff_bp, cases_bp, admin_bp):
        app.register_blueprint(blueprint)
    for name in app.config.get("OPTIONAL_BLUEPRINTS", OPTIONAL_BLUEPRINTS):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        app.register_blueprint(module.bp)
