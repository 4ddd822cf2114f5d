"""Administration: users, units, memberships, deputies and the routing table (role admin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import ROLES, KimflowError, NotFound, audit, org
from web.admin import bp
from web.security import current_actor, roles_required, services


def _apply(change: Callable, success: str) -> bool:
    """Run one change in a transaction; flash the outcome in German."""
    try:
        with services().db.unit_of_work() as session:
            change(session)
    except (KimflowError, ValueError) as err:
        flash(str(err), "error")
        return False
    flash(success, "success")
    return True


def _date(name: str) -> dt.date | None:
    text = request.form.get(name, "").strip()
    return dt.date.fromisoformat(text) if text else None


@bp.context_processor
def refusal_alerts() -> dict[str, int]:
    """Tell the administration's tabs how many users were refused unusually often of late (shown as a badge)."""
    if not current_user.is_authenticated or "admin" not in current_actor().roles:
        return {}
    with services().db.reading() as session:
        return {"refusal_alerts": len(audit.refusal_bursts(session))}


@bp.route("/")
@roles_required("admin")
def index():
    """Open the administration at the user list."""
    return redirect(url_for("admin.users"))


@bp.route("/benutzer", methods=["GET", "POST"])
@roles_required("admin")
def users():
    """List users and create a new one."""
    if request.method == "POST":
        form, me = request.form, current_actor().name
        _apply(lambda s: org.create_user(s, form.get("username", "").strip(), form.get("display_name", "").strip(),
                                         form.get("password", ""), actor=me, role=form.get("role", "staff"),
                                         email=form.get("email") or None),
               _("Der Benutzer wurde angelegt."))
        return redirect(url_for("admin.users"))
    with services().db.reading() as session:
        rows = [(u, org.memberships(session, u.username)) for u in org.list_users(session)]
    return render_template("admin/users.html", rows=rows, roles=ROLES)


@bp.route("/benutzer/<username>", methods=["GET", "POST"])
@roles_required("admin")
def user(username: str):
    """Show and change one user: role, name, activity, memberships, deputies."""
    if request.method == "POST":
        form, me = request.form, current_actor().name
        changes = {"display_name": form.get("display_name", "").strip(), "email": form.get("email") or None,
                   "role": form.get("role", "staff"), "active": form.get("active") == "1"}
        _apply(lambda s: org.update_user(s, username, actor=me, **changes), _("Die Änderungen sind gespeichert."))
        return redirect(url_for("admin.user", username=username))
    with services().db.reading() as session:
        try:
            account = org.user_by_name(session, username)
        except NotFound:
            abort(404)
        units = org.list_units(session)
        member_of = org.memberships(session, username)
        deputies = org.deputies(session, username)
        names = {u.id: u.username for u in org.list_users(session)}
    return render_template("admin/user.html", account=account, units=units, member_of=member_of, roles=ROLES,
                           deputies=deputies, names=names, users=sorted(names.values()))


@bp.route("/benutzer/<username>/passwort", methods=["POST"])
@roles_required("admin")
def reset_password(username: str):
    """Set a new password for a user; their sessions end."""
    me, password = current_actor().name, request.form.get("password", "")
    _apply(lambda s: org.set_password(s, username, password, actor=me),
           _("Das Passwort wurde neu gesetzt; alle Sitzungen des Benutzers sind beendet."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/benutzer/<username>/entsperren", methods=["POST"])
@roles_required("admin")
def unlock_user(username: str):
    """Lift the sign-in delays of a user (e.g. after a colleague mistyped their name many times)."""
    me = current_actor().name
    _apply(lambda s: org.unlock_sign_in(s, username, actor=me), _("Die Anmeldesperre wurde aufgehoben."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/benutzer/<username>/stellen", methods=["POST"])
@roles_required("admin")
def add_membership(username: str):
    """Add the user to a unit."""
    me, unit = current_actor().name, request.form.get("unit", "")
    _apply(lambda s: org.add_membership(s, username, unit, actor=me), _("Die Zugehörigkeit wurde ergänzt."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/benutzer/<username>/stellen/<unit>/entfernen", methods=["POST"])
@roles_required("admin")
def remove_membership(username: str, unit: str):
    """Take the user out of a unit."""
    me = current_actor().name
    _apply(lambda s: org.remove_membership(s, username, unit, actor=me), _("Die Zugehörigkeit wurde entfernt."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/benutzer/<username>/vertretungen", methods=["POST"])
@roles_required("admin")
def add_deputy(username: str):
    """Let a colleague stand in for the user for a period."""
    me = current_actor().name

    def change(session):
        valid_from = _date("valid_from") or dt.date.today()
        org.set_deputy(session, username, request.form.get("deputy", ""), valid_from, _date("valid_until"), actor=me)

    _apply(change, _("Die Vertretung wurde eingetragen."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/benutzer/<username>/vertretungen/<int:deputy_id>/entfernen", methods=["POST"])
@roles_required("admin")
def remove_deputy(username: str, deputy_id: int):
    """End a deputyship."""
    me = current_actor().name
    _apply(lambda s: org.remove_deputy(s, deputy_id, actor=me), _("Die Vertretung wurde beendet."))
    return redirect(url_for("admin.user", username=username))


@bp.route("/stellen", methods=["GET", "POST"])
@roles_required("admin")
def units():
    """List units and create or change one."""
    if request.method == "POST":
        form, me = request.form, current_actor().name
        _apply(lambda s: org.save_unit(s, form.get("code", "").strip(), form.get("name", "").strip(),
                                       form.get("office", "").strip(), actor=me, active=form.get("active") == "1"),
               _("Die Stelle wurde gespeichert."))
        return redirect(url_for("admin.units"))
    with services().db.reading() as session:
        rows = org.list_units(session)
    return render_template("admin/units.html", units=rows)


@bp.route("/zustaendigkeiten", methods=["GET", "POST"])
@roles_required("admin")
def responsibilities():
    """Show and change which unit of an office serves which municipality."""
    if request.method == "POST":
        form, me = request.form, current_actor().name
        _apply(lambda s: org.set_responsibility(s, form.get("office", "").strip(), form.get("area", "").strip(),
                                                form.get("unit", "").strip(), actor=me),
               _("Die Zuständigkeit wurde gespeichert."))
        return redirect(url_for("admin.responsibilities"))
    with services().db.reading() as session:
        rows = org.list_responsibilities(session)
        names = org.unit_names(session)
        unit_list = org.list_units(session, active_only=True)
    return render_template("admin/responsibilities.html", rows=rows, names=names, units=unit_list)
