"""Error pages in kimflow's look and the user's language, and each role's start page after sign-in."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

STAFF_ROLES = {"staff", "admin"}

# (title, explanation) per status: what happened and what the person can do about it.
PAGES = {
    400: (_l("Die Anfrage war unvollständig"),
          _l("Die Seite hat Angaben erhalten, mit denen sie nichts anfangen kann. Bitte versuchen Sie es erneut.")),
    403: (_l("Kein Zugriff"),
          _l("Für diese Seite fehlt Ihnen die Berechtigung. Wenden Sie sich bei Bedarf an Ihre Leitung.")),
    404: (_l("Seite nicht gefunden"),
          _l("Diese Seite gibt es nicht, oder sie ist für Ihre Rolle nicht freigegeben.")),
    405: (_l("Aktion nicht möglich"),
          _l("Diese Seite lässt sich so nicht aufrufen. Bitte benutzen Sie die Schaltflächen der Anwendung.")),
    409: (_l("Zwischenzeitlich geändert"),
          _l("Jemand anderes hat diese Angaben inzwischen geändert. Bitte laden Sie die Seite neu.")),
    410: (_l("Nicht mehr vorhanden"),
          _l("Dieser Eintrag wurde entfernt oder ist abgelaufen.")),
    413: (_l("Datei zu groß"),
          _l("Die gesendeten Daten sind zu groß. Bitte wählen Sie eine kleinere Datei.")),
    500: (_l("Ein Fehler ist aufgetreten"),
          _l("Das hat nicht geklappt. Der Fehler wurde protokolliert; bitte versuchen Sie es später erneut.")),
}
CSRF_PAGE = (_l("Formular abgelaufen"),
             _l("Das Formular war zu lange geöffnet und ist aus Sicherheitsgründen abgelaufen. "
                "Bitte laden Sie die Seite neu und senden Sie es noch einmal."))


def start_page() -> str:
    """Return the start page of the signed-in user's workspace (the sign-in page for everyone else)."""
    if not current_user.is_authenticated:
        return url_for("auth.login")
    roles = set(current_user.roles)
    if roles & STAFF_ROLES:
        return url_for("staff.inbox")
    if "manager" in roles:
        return url_for("manage.index")
    if "designer" in roles:
        return url_for("designer.library")
    return url_for("auth.login")


def _wants_json() -> bool:
    return "/api/" in request.path or request.is_json or (
        request.accept_mimetypes.best == "application/json")


def _page(status: int, title: str, text: str):
    if _wants_json():
        return jsonify({"error": text}), status
    return render_template("errors/error.html", status=status, title=title, text=text,
                           back=start_page(), retry=request.referrer if status in (400, 409) else None), status


def _http_error(err: HTTPException):
    status = err.code or 500
    title, text = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    return _page(status, str(title), str(text))


def _csrf_error(_err: CSRFError):
    return _page(400, str(CSRF_PAGE[0]), str(CSRF_PAGE[1]))


def _value_out_of_range(err: Exception):
    # A number too large for a column, or text the database cannot store: the request's fault, not ours.
    logging.getLogger(__name__).info("refused %s %s: %s", request.method, request.endpoint, type(err).__name__)
    title, text = PAGES[400]
    return _page(400, str(title), str(text))


def init_app(app: Flask) -> None:
    """Answer every error with a kimflow page and send managers and designers to their workspace."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DataError, _value_out_of_range)
    app.register_error_handler(OverflowError, _value_out_of_range)
    # Flask logs an unexpected exception and hands it on as a 500, which this handler also answers.
    app.register_error_handler(HTTPException, _http_error)

    @app.after_request
    def _workspace_start(response):
        # Sign-in sends everyone to the inbox; managers and designers have none and start in their workspace.
        if request.endpoint == "auth.login" and response.status_code == 302 \
                and response.location == url_for("staff.inbox") and current_user.is_authenticated \
                and not set(current_user.roles) & STAFF_ROLES:
            response.location = start_page()
        return response
