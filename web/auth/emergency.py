"""The emergency way in: a one-time sign-in link for an administrator, issued only on the server's command line.

It works also when local passwords are switched off and the identity provider is down. The link is signed with
the app's secret key, expires after a few minutes and names the account's session version; using it ends every
session of the account (the version moves on), so the same link never works twice.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine import NotFound, org
from web.auth import bp
from web.auth.session import start_session
from web.security import public, record, services

SALT = "kimflow-emergency-sign-in"
VALID_MINUTES = 10


def make_token(secret_key: str, username: str, session_version: int) -> str:
    """Return the signed token of a one-time link for this account in its current session version."""
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"u": username, "v": session_version})


def _account(token: str) -> str | None:
    """Return the administrator the token is for while it is valid and unused, else None."""
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token,
                                                                                         max_age=VALID_MINUTES * 60)
    except BadSignature:  # also an expired signature
        return None
    with services().db.reading() as session:
        try:
            user = org.user_by_name(session, str(data.get("u", "")))
        except NotFound:
            return None
        valid = user.active and user.role == "admin" and user.session_version == data.get("v")
        return user.username if valid else None


@bp.route("/login/notfall/<token>", methods=["GET", "POST"])
@public
def emergency_sign_in(token: str):
    """Show the confirmation (GET: link previews must not use it up) and sign in on POST."""
    username = _account(token[:1000])
    if username is None:
        abort(404)
    if request.method == "GET":
        return render_template("auth/emergency.html", username=username)
    with services().db.unit_of_work() as session:
        org.end_sessions(session, username, actor=username)  # the link is used up; other sessions end too
    start_session(username)
    record("login", method="emergency_link")
    return redirect(url_for("admin.users"))
