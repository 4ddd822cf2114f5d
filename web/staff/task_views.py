"""The task page: the form, drafts, completion, and beside it the case, history and diagram."""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import (
    DefinitionVersion,
    FormErrors,
    HumanTask,
    KimflowError,
    NotFound,
    ProcessInstance,
    TaskAlreadyCompleted,
    audit,
    available_to,
    org,
)
from engine import inbox as inbox_queries
from web.security import current_actor, deny, record, roles_required, services
from web.staff import bp, case_access
from web.staff.form_values import rendered_fields, submitted_values
from workflows.cases import files as cases

STAFF = ("staff", "admin")


def visible_task(task_id: str) -> HumanTask:
    """Return the task if the user's units may see it; otherwise audit the attempt and answer 404."""
    try:
        human = services().engine.task(task_id)
    except NotFound:
        abort(404)
    actor = current_actor()
    mine = actor.name in (human.claimed_by, human.completed_by)
    if not mine and not available_to(actor, human):
        deny("task_outside_units", task_id=task_id, instance_id=human.instance_id, case_ref=human.case_ref)
    return human


@bp.route("/aufgabe/<task_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def task(task_id: str):
    """Show the task form; save a draft or complete the task."""
    human = visible_task(task_id)
    if human.status == "completed":
        return _already_done(human.completed_by, human.completed_at)
    if human.status == "cancelled":
        return render_template("staff/task_closed.html", task=human), 410
    engine = services().engine
    form, data = engine.task_form(task_id)
    submitted, errors, status = None, {}, 200
    if request.method == "POST":
        submitted = submitted_values(form, request.form)
        if request.form.get("aktion") == "entwurf":
            return _save_draft(task_id, submitted)
        try:
            engine.complete(task_id, actor=current_actor(), data=submitted)
        except FormErrors as err:
            errors, status = err.errors, 400
        except TaskAlreadyCompleted as err:
            return _already_done(err.completed_by, err.completed_at)
        except KimflowError as err:
            flash(str(err), "error")
            status = 409
        else:
            flash(_("Die Aufgabe »%(name)s« ist erledigt.", name=human.name), "success")
            return redirect(url_for("staff.inbox"))
    else:
        record("task_viewed", task_id=task_id, instance_id=human.instance_id, case_ref=human.case_ref)
    return render_template("staff/task.html", task=human, fields=rendered_fields(form, data, submitted, errors),
                           has_form=form is not None, errors=errors, **_side_panel(human)), status


def _save_draft(task_id: str, submitted: dict[str, str]):
    try:
        services().engine.save_draft(task_id, actor=current_actor(), data=submitted)
    except TaskAlreadyCompleted as err:
        return _already_done(err.completed_by, err.completed_at)
    except KimflowError as err:
        flash(str(err), "error")
    else:
        flash(_("Der Entwurf wurde gespeichert."), "success")
    return redirect(url_for("staff.task", task_id=task_id))


def _already_done(completed_by: str | None, completed_at):
    """Tell the user a colleague won the race (by name); nothing they typed was written."""
    name = completed_by
    if completed_by:
        with services().db.reading() as session:
            try:
                name = f"{org.user_by_name(session, completed_by).display_name} ({completed_by})"
            except NotFound:
                name = completed_by
    return render_template("staff/task_done.html", completed_by=name, completed_at=completed_at), 409


def _side_panel(human: HumanTask) -> dict:
    actor = current_actor()
    with services().db.reading() as session:
        history = [e for e in audit.events(session, instance_id=human.instance_id, limit=200)
                   if e.task_id == human.id or e.action == "instance_started"]
        colleagues = inbox_queries.colleagues(session, {human.unit} if human.unit else set(actor.units),
                                              exclude=actor.name)
        process_name = inbox_queries.process_names(session).get(human.process_id, human.process_id)
    case = case_access.summary(human.case_ref) if human.case_ref else None
    notes, documents = [], []
    if case is not None and case.file_released:  # a task alone releases no notes or documents
        with services().db.reading() as session:
            notes, documents = cases.list_notes(session, case.case_ref), cases.list_documents(session, case.case_ref)
    return {"history": history, "colleagues": colleagues, "process_name": process_name, "case": case,
            "notes": notes, "documents": documents}


@bp.route("/aufgabe/<task_id>/diagramm.bpmn")
@roles_required(*STAFF)
def task_diagram(task_id: str):
    """Serve the BPMN diagram of the task's process version (for the bpmn-js viewer)."""
    human = visible_task(task_id)
    with services().db.reading() as session:
        instance = session.get(ProcessInstance, human.instance_id)
        row = session.get(DefinitionVersion, instance.definition_version_id) if instance else None
    if row is None:
        abort(404)
    pattern = re.compile(r'<(?:\w+:)?process\b[^>]*\bid="' + re.escape(row.process_id) + '"')
    for name, text in sorted(row.files.items()):
        if name.endswith(".bpmn") and pattern.search(text):
            return Response(text, mimetype="application/xml")
    abort(404)
