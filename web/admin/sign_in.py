"""Administration of sign-in: the identity-provider group mapping and the reset of a second factor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import ROLES, KimflowError, NotFound, org, sso, totp
from web.admin import bp
from web.security import current_actor, roles_required, services


@bp.route("/anmeldedienst", methods=["GET", "POST"])
@roles_required("admin")
def group_mappings():
    """List the group mapping and add a row: members of a provider group get a role and/or a unit."""
    if request.method == "POST":
        form = request.form
        try:
            with services().db.unit_of_work() as session:
                sso.add_mapping(session, form.get("idp_group", ""), role=form.get("role") or None,
                                unit_code=form.get("unit") or None, actor=current_actor().name)
        except KimflowError as err:
            flash(str(err), "error")
        else:
            flash(_("Die Zuordnung wurde gespeichert. Sie gilt ab der nächsten Anmeldung."), "success")
        return redirect(url_for("admin.group_mappings"))
    with services().db.reading() as session:
        rows = sso.list_mappings(session)
        units = org.list_units(session)
    return render_template("admin/group_mappings.html", rows=rows, units=units, roles=ROLES,
                           names={u.code: u.name for u in units})


@bp.route("/anmeldedienst/<int:mapping_id>/loeschen", methods=["POST"])
@roles_required("admin")
def delete_group_mapping(mapping_id: int):
    """Delete one row of the group mapping."""
    try:
        with services().db.unit_of_work() as session:
            sso.remove_mapping(session, mapping_id, actor=current_actor().name)
    except NotFound:
        abort(404)
    flash(_("Die Zuordnung wurde gelöscht."), "success")
    return redirect(url_for("admin.group_mappings"))


@bp.route("/benutzer/<username>/zweiter-faktor", methods=["POST"])
@roles_required("admin")
def reset_second_factor(username: str):
    """Remove a user's second factor (recovery when the device is lost); the user's sessions end."""
    try:
        with services().db.unit_of_work() as session:
            removed = totp.reset(session, username, actor=current_actor().name)
    except KimflowError:
        abort(404)
    if removed:
        flash(_("Der zweite Faktor wurde zurückgesetzt."), "success")
    else:
        flash(_("Für dieses Konto ist kein zweiter Faktor eingerichtet."), "info")
    return redirect(url_for("admin.user", username=username))
