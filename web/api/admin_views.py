"""Administrators create service accounts, issue tokens (shown once) and revoke them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engine import KimflowError, NotFound, clock, org, service_accounts
from web.api import bp
from web.security import current_actor, roles_required, services


@bp.get("/konten")
@roles_required("admin")
def accounts(new_token: str | None = None):
    """List service accounts with their tokens."""
    with services().db.reading() as session:
        rows = service_accounts.accounts(session)
        units = org.list_units(session, active_only=True)
    return render_template("api/accounts.html", rows=rows, units=units, verbs=service_accounts.VERBS,
                           new_token=new_token, now=clock.now())


@bp.post("/konten")
@roles_required("admin")
def create_account():
    """Create a service account scoped to units and verbs."""
    try:
        with services().db.unit_of_work() as session:
            service_accounts.create_account(session, request.form.get("name", "").strip(),
                                            units=request.form.getlist("units"), verbs=request.form.getlist("verbs"),
                                            actor=current_actor().name)
    except KimflowError as err:
        flash(str(err), "error")
    return redirect(url_for("api_admin.accounts"))


@bp.post("/konten/<int:account_id>/token")
@roles_required("admin")
def issue_token(account_id: int):
    """Issue a token and show it once."""
    days = request.form.get("days", type=int) or service_accounts.DEFAULT_DAYS
    try:
        with services().db.unit_of_work() as session:
            token = service_accounts.issue_token(session, account_id, actor=current_actor().name,
                                                 days=min(days, 730))
    except NotFound:
        abort(404)
    return accounts(new_token=token)


@bp.post("/token/<int:token_id>/widerrufen")
@roles_required("admin")
def revoke_token(token_id: int):
    """Revoke a token at once."""
    try:
        with services().db.unit_of_work() as session:
            service_accounts.revoke_token(session, token_id, actor=current_actor().name)
    except NotFound:
        abort(404)
    flash("Token widerrufen.", "success")
    return redirect(url_for("api_admin.accounts"))
