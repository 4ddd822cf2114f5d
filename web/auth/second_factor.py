"""The optional second factor: the code step after the password, and the enrolment page (TOTP)."""

from __future__ import annotations

import datetime as dt

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine import totp
from web.accounts import session_user
from web.auth import bp
from web.auth.session import fresh_session, safe_next, start_session
from web.security import current_actor, login_required, public, services

PENDING_SECONDS = 300  # the code must follow the password within five minutes
MAX_TRIES = 5  # then the password is asked again (and that is throttled)


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def _pending_user() -> str | None:
    started = session.get("mfa_at", 0)
    if not session.get("mfa_user") or dt.datetime.now(dt.UTC).timestamp() - started > PENDING_SECONDS:
        return None
    return session["mfa_user"]


@bp.route("/login/zweiter-faktor", methods=["GET", "POST"])
@public
def second_factor():
    """Ask for the one-time code after a correct password; sign in when it matches."""
    username = _pending_user()
    if username is None:
        fresh_session()
        flash(_("Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/second_factor.html", error=None)
    with services().db.unit_of_work() as db_session:
        outcome = totp.verify(db_session, username, request.form.get("code", "")[:20], secret_key=_key())
    user = session_user(username)
    if outcome == "ok" and user is not None and user.session_version == session.get("mfa_version"):
        start_session(username)
        return redirect(safe_next(session.pop("mfa_next", None), default="staff.home"))  # home: by role
    session["mfa_tries"] = tries = session.get("mfa_tries", 0) + 1
    if tries >= MAX_TRIES or outcome == "delayed":
        fresh_session()
        flash(_("Zu viele falsche Codes. Bitte warten Sie einige Minuten und melden Sie sich erneut an."), "error")
        return redirect(url_for("auth.login"))
    return render_template("auth/second_factor.html", error=_("Der Code stimmt nicht.")), 401


@bp.route("/konto/zweiter-faktor", methods=["GET", "POST"])
@login_required
def enrol_second_factor():
    """Set up the second factor: show the secret as otpauth URI and QR code, switch on after a first code."""
    username = current_actor().name
    if not set(current_actor().roles) & set(totp.ROLES_WITH_FACTOR):
        flash(_("Ein zweiter Faktor ist für Administration und Prozessgestaltung vorgesehen."), "info")
        return redirect(url_for("staff.inbox"))
    with services().db.unit_of_work() as db_session:
        if totp.is_enabled(db_session, username):
            return render_template("auth/second_factor_enrol.html", enabled=True)
        if request.method == "POST" and totp.confirm(db_session, username, request.form.get("code", "")[:20],
                                                     secret_key=_key()):
            confirmed = True
        else:
            confirmed = False
            secret = totp.pending_secret(db_session, username, secret_key=_key()) \
                or totp.start_enrolment(db_session, username, secret_key=_key())
    if confirmed:
        flash(_("Der zweite Faktor ist eingerichtet. Ab der nächsten Anmeldung wird ein Code abgefragt."), "success")
        return redirect(url_for("staff.inbox"))
    uri = totp.provisioning_uri(secret, username)
    error = _("Der Code stimmt nicht.") if request.method == "POST" else None
    return render_template("auth/second_factor_enrol.html", enabled=False, uri=uri, secret=secret,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=4), error=error), (400 if error else 200)

