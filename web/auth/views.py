"""Views of the auth blueprint."""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from engine import AccountError, org, totp, verify_password
from web.auth import bp
from web.auth.oidc import client, provider_logout_url
from web.auth.session import fresh_session, local_passwords, safe_next, start_session
from web.security import current_actor, login_required, public, services


def _login_page(error: str | None = None, username: str = "", status: int | None = None):
    return render_template("auth/login.html", error=error, username=username, sso=client() is not None,
                           passwords=local_passwords()), status or (401 if error else 200)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in page and sign the user in with a local password (unless switched off)."""
    if request.method == "GET":
        return _login_page()
    if not local_passwords():
        return _login_page(_("Die Anmeldung mit Passwort ist abgeschaltet. Bitte melden Sie sich über den "
                             "Anmeldedienst der Kommune an."), status=403)
    username = request.form.get("username", "").strip()[:100]
    with services().db.unit_of_work() as db_session:
        result = org.authenticate(db_session, username, request.form.get("password", ""),
                                  address=request.remote_addr or "-")
        second_factor = result.ok and totp.is_enabled(db_session, username)
    if result.ok and second_factor:
        # The password was right; the session holds only who is waiting for a code, not a sign-in.
        fresh_session(mfa_user=username, mfa_version=result.user.session_version if result.user else 0,
                      mfa_at=dt.datetime.now(dt.UTC).timestamp(), mfa_next=request.args.get("next", "")[:500])
        return redirect(url_for("auth.second_factor"))
    if result.ok and start_session(username):
        return redirect(safe_next(request.args.get("next")))
    if result.status is org.AuthStatus.LOCKED:
        return _login_page(result.message, username, 429)
    return _login_page(result.message, username)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign the user out: the server revokes the session, so a copied cookie no longer works."""
    username = current_actor().name
    id_token = session.get("oidc_id_token")
    with services().db.unit_of_work() as db_session:
        org.end_sessions(db_session, username, actor=username)
    logout_user()
    fresh_session()
    provider_url = provider_logout_url(id_token)
    if provider_url:
        # A page, not a redirect: the form's CSP (form-action 'self') would block a redirect to the provider.
        return render_template("auth/signed_out.html", provider_url=provider_url)
    flash(_("Sie wurden abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the own password; every other session of the user ends."""
    if not local_passwords():
        flash(_("Die Anmeldung mit Passwort ist abgeschaltet."), "info")
        return redirect(url_for("staff.inbox"))
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
                start_session(username)
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
    return redirect(safe_next(request.form.get("next")))


@bp.route("/barrierefreiheit")
@public
def accessibility():
    """Show the accessibility statement."""
    return render_template("auth/accessibility.html")
