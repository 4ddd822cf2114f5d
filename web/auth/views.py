"""Views of the auth blueprint."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from engine import AccountError, org, verify_password
from web.accounts import session_user
from web.auth import bp
from web.security import current_actor, login_required, public, record, services


def _safe_next(target: str | None) -> str:
    """Return a same-site path to go to after sign-in (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("staff.inbox")


def _start_session(username: str) -> bool:
    user = session_user(username)
    if user is None:
        return False
    lang = session.get("lang")
    session.clear()  # a fresh session id on sign-in: no fixation
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = True
    session["seen"] = dt.datetime.now(dt.UTC).timestamp()
    return True


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form and sign the user in."""
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:100]
        with services().db.unit_of_work() as db_session:
            result = org.authenticate(db_session, username, request.form.get("password", ""),
                                      address=request.remote_addr or "-")
        if result.ok and _start_session(username):
            return redirect(_safe_next(request.args.get("next")))
        error = result.message
        if result.status is org.AuthStatus.LOCKED:
            return render_template("auth/login.html", error=error, username=username), 429
    return render_template("auth/login.html", error=error, username=username), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign the user out of this browser."""
    record("logout")
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Sie wurden abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the own password; every other session of the user ends."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _password_errors()
        if not errors:
            username = current_actor().name
            try:
                with services().db.unit_of_work() as db_session:
                    org.set_password(db_session, username, request.form["new_password"], actor=username)
            except AccountError as err:
                errors["new_password"] = str(err)
            else:
                _start_session(username)
                flash(_("Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet."), "success")
                return redirect(url_for("staff.inbox"))
    return render_template("auth/password.html", errors=errors), (400 if errors else 200)


def _password_errors() -> dict[str, str]:
    errors = {}
    with services().db.reading() as db_session:
        user = org.user_by_name(db_session, current_actor().name)
        if not verify_password(user.password_hash, request.form.get("current_password", "")):
            errors["current_password"] = _("Das bisherige Passwort ist falsch.")
    if request.form.get("new_password", "") != request.form.get("repeat_password", ""):
        errors["repeat_password"] = _("Die beiden neuen Passwörter stimmen nicht überein.")
    return errors


@bp.route("/sprache", methods=["POST"])
@public
def language():
    """Switch the interface language for this session."""
    chosen = request.form.get("lang", "")
    if chosen in current_app.config["LANGUAGES"]:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/barrierefreiheit")
@public
def accessibility():
    """Show the accessibility statement."""
    return render_template("auth/accessibility.html")
