"""A completed task read-only, in the form's words, for those with need-to-know (audited)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _

from engine import HumanTask, NotFound, available_to, org
from web.security import current_actor, deny, record, roles_required, services
from web.staff import bp, case_access
from web.staff.case_access import readable
from web.staff.labels import office_name

STAFF = ("staff", "admin")


def may_read(human: HumanTask) -> bool:
    """Tell whether the user may read this completed task: who did it, its unit, or the case's full view."""
    actor = current_actor()
    if actor.name == human.completed_by or available_to(actor, human):
        return True
    view = case_access.summary(human.case_ref) if human.case_ref else None
    return view is not None and view.full


@bp.route("/aufgabe/<task_id>/ansicht")
@roles_required(*STAFF)
def completed_task(task_id: str):
    """Show a completed task's form with the values it was completed with, read-only."""
    engine = services().engine
    try:
        human = engine.task(task_id)
    except NotFound:
        abort(404)
    if human.status != "completed":
        if available_to(current_actor(), human) and human.status != "cancelled":
            return redirect(url_for("staff.task", task_id=task_id))
        deny("completed_task_not_completed", task_id=task_id, case_ref=human.case_ref)
    if not may_read(human):
        deny("completed_task_outside_need_to_know", task_id=task_id, instance_id=human.instance_id,
             case_ref=human.case_ref)
    form, data = engine.task_form(task_id)
    rows = [(f.label, readable(f, data.get(f.id))) for f in form.fields] if form is not None else None
    record("completed_task_viewed", task_id=task_id, instance_id=human.instance_id, case_ref=human.case_ref)
    return render_template("staff/task_closed.html", task=human, rows=rows, completed_by=_person(human.completed_by),
                           unit_name=_unit_name(human))


def _person(username: str | None) -> str:
    if not username:
        return _("unbekannt")
    with services().db.reading() as session:
        try:
            return org.user_by_name(session, username).display_name
        except NotFound:
            return _("System")


def _unit_name(human: HumanTask) -> str:
    if human.unit:
        with services().db.reading() as session:
            name = org.unit_names(session).get(human.unit)
        if name:
            return name
    return office_name(human.office)
