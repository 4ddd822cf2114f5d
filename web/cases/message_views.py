"""Record what arrives from outside: every message a case's instances wait for, as an action with its form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import FormErrors, KimflowError, NotFound, clock
from web.cases import bp
from web.security import current_actor, roles_required, services
from web.staff.form_values import rendered_fields, submitted_values
from workflows import message_actions
from workflows.cases.visibility import visible_case

STAFF = ("staff", "admin")


def _visible(case_ref: str) -> None:
    """Answer 404 unless the user may open the case (the read and a refusal are audited)."""
    try:
        with services().db.unit_of_work() as session:
            visible_case(session, case_ref, current_actor(), clock.now())
    except NotFound:
        abort(404)


def _page(case_ref: str, errors: dict | None = None, chosen: tuple[int, str] | None = None, status: int = 200):
    with services().db.reading() as session:
        actions = message_actions.waiting(session, case_ref=case_ref)
    items = []
    for item in actions:
        mine = chosen == (item.instance_id, item.message)
        submitted = submitted_values(item.form, request.form) if mine else None
        items.append((item, rendered_fields(item.form, {}, submitted, errors if mine else None)))
    return render_template("cases/messages.html", case_ref=case_ref, items=items), status


@bp.route("/faelle/<case_ref>/eingang")
@roles_required(*STAFF)
def case_messages(case_ref: str):
    """List what the case's processes wait for from outside, each with its form."""
    _visible(case_ref)
    return _page(case_ref)


@bp.route("/faelle/<case_ref>/eingang/<int:instance_id>/<message>", methods=["POST"])
@roles_required(*STAFF)
def record_message(case_ref: str, instance_id: int, message: str):
    """Deliver one message with its payload to the instance waiting for it (audited)."""
    _visible(case_ref)
    with services().db.reading() as session:
        target = next((w for w in message_actions.waiting(session, case_ref=case_ref)
                       if (w.instance_id, w.message) == (instance_id, message)), None)
    if target is None:
        flash(_("Dieser Vorgang wartet nicht mehr auf diese Nachricht."), "error")
        return redirect(url_for("cases.case_messages", case_ref=case_ref))
    try:
        message_actions.deliver(services().engine, instance_id, message,
                                submitted_values(target.form, request.form), actor=current_actor())
    except FormErrors as err:
        return _page(case_ref, err.errors, (instance_id, message), status=400)
    except KimflowError as err:
        flash(str(err), "error")
        return redirect(url_for("cases.case_messages", case_ref=case_ref))
    flash(_("»%(action)s« ist erfasst; der Vorgang läuft weiter.", action=target.action), "success")
    return redirect(url_for("cases.case_messages", case_ref=case_ref))
