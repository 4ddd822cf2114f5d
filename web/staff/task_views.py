"""The task page: the form, drafts, completion, and beside it the case, history and diagram."""

from __future__ import annotations

import datetime as dt
import re

from flask import Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine import (
    LOCAL_TIME,
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
from web.staff.inbox_views import after_completion, back_to_inbox, handover_choices
from workflows.cases import files as cases

STAFF = ("staff", "admin")


def visible_task(task_id: str) -> HumanTask:
    """Return the task if the user's units may see it; otherwise audit the attempt and answer 404."""
    try:
        human = services().engine.task(task_id)
    except NotFound:
        abort(404)
    return _visible(human)


def _visible(human: HumanTask) -> HumanTask:
    task_id, actor = human.id, current_actor()
    mine = actor.name in (human.claimed_by, human.completed_by)
    if not mine and not available_to(actor, human):
        deny("task_outside_units", task_id=task_id, instance_id=human.instance_id, case_ref=human.case_ref)
    return human


@bp.route("/aufgabe/<task_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def task(task_id: str):
    """Show the task form; save a draft (also while typing) or complete the task."""
    engine = services().engine
    try:
        page = engine.task_page(task_id)  # task, instance and form read once for the whole page
    except NotFound:
        abort(404)
    human = _visible(page.task)
    if human.status == "completed":
        return _already_done(human.completed_by, human.completed_at)
    if human.status == "cancelled":
        return render_template("staff/task_closed.html", task=human), 410
    form, data = page.form, page.data
    submitted, errors, status = None, {}, 200
    if request.method == "POST":
        submitted = submitted_values(form, request.form)
        action = request.form.get("aktion")
        if action == "entwurf":
            return _save_draft(task_id, submitted)
        try:
            engine.complete(task_id, actor=current_actor(), data=submitted, seen=page)  # not read again
        except FormErrors as err:
            errors, status = err.errors, 400
        except TaskAlreadyCompleted as err:
            return _already_done(err.completed_by, err.completed_at)
        except KimflowError as err:
            flash(str(err), "error")
            status = 409
        else:
            flash(_("Die Aufgabe »%(name)s« ist erledigt.", name=human.name), "success")
            session["forget_task"] = task_id  # the page that follows drops the browser's copy of the input
            return redirect(after_completion(task_id, next_task=action == "erledigen_weiter"))
    else:
        record("task_viewed", task_id=task_id, instance_id=human.instance_id, case_ref=human.case_ref)
    return render_template("staff/task.html", task=human, fields=rendered_fields(form, data, submitted, errors),
                           has_form=form is not None, errors=errors, forget_task=session.pop("forget_task", None),
                           high_priority=human.priority >= inbox_queries.HIGH_PRIORITY,
                           **_side_panel(human, page.delegation_reason)), status


def _autosave() -> bool:
    """Tell whether the draft comes from the page's script saving while the user types."""
    return request.headers.get("X-Autosave") == "1"


def _save_draft(task_id: str, submitted: dict[str, str]):
    try:
        services().engine.save_draft(task_id, actor=current_actor(), data=submitted)
    except TaskAlreadyCompleted as err:
        if _autosave():
            return jsonify(saved=False, message=_("Die Aufgabe ist bereits erledigt.")), 409
        return _already_done(err.completed_by, err.completed_at)
    except KimflowError as err:
        if _autosave():
            return jsonify(saved=False, message=str(err)), 409
        flash(str(err), "error")
    else:
        if _autosave():
            return jsonify(saved=True, time=dt.datetime.now(dt.UTC).isoformat())
        flash(_("Der Entwurf wurde gespeichert."), "success")
    return redirect(url_for("staff.task", task_id=task_id))


@bp.route("/aufgabe/<task_id>/termine", methods=["POST"])
@roles_required(*STAFF)
def task_dates(task_id: str):
    """Set the due and follow-up dates (Wiedervorlage) of one's own task."""
    human, actor = visible_task(task_id), current_actor()
    if human.claimed_by != actor.name and not actor.is_admin:
        flash(_("Fälligkeit und Wiedervorlage setzen Sie an Ihren eigenen Aufgaben: bitte übernehmen Sie die "
                "Aufgabe zuerst."), "error")
        return redirect(url_for("staff.task", task_id=task_id))
    errors: dict[str, str] = {}
    due, follow_up = _form_date("faellig_am", errors), _form_date("wiedervorlage_am", errors)
    if not errors:
        try:
            services().engine.set_task_dates(task_id, actor=actor, due=due, follow_up=follow_up)
        except FormErrors:
            errors["wiedervorlage_am"] = _("Die Wiedervorlage darf nicht in der Vergangenheit liegen.")
        except KimflowError as err:  # not the user's own task, or no longer open
            flash(str(err), "error")
            return redirect(url_for("staff.task", task_id=task_id))
    if errors:
        session["date_errors"] = {"errors": errors, "values": {k: request.form.get(k, "")[:20] for k in errors}}
        flash(_("Die Termine wurden nicht gespeichert."), "error")
    else:
        flash(_("Fälligkeit und Wiedervorlage wurden gespeichert."), "success")
    return redirect(url_for("staff.task", task_id=task_id) + "#termine")


def _form_date(name: str, errors: dict[str, str]) -> dt.date | None:
    """Read a date field (ISO from the date picker, or TT.MM.JJJJ typed); a blank field clears the date."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors[name] = _("Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben.")
    return None


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


def _side_panel(human: HumanTask, given: dict[str, str] | None) -> dict:
    actor = current_actor()
    with services().db.reading() as db_session:
        history = [e for e in audit.events(db_session, instance_id=human.instance_id, limit=200)
                   if e.task_id == human.id or e.action == "instance_started"]
        handover = handover_choices(db_session, human, actor)
        process_name = inbox_queries.process_names(db_session).get(human.process_id, human.process_id)
    case = case_access.summary(human.case_ref) if human.case_ref else None
    notes, documents = [], []
    if case is not None and case.file_released:  # a task alone releases no notes or documents
        with services().db.reading() as db_session:
            notes, documents = cases.list_notes(db_session, case.case_ref), cases.list_documents(db_session,
                                                                                                 case.case_ref)
    return {"history": history, "colleagues": handover["colleagues"], "handover": handover,
            "process_name": process_name, "case": case, "notes": notes, "documents": documents,
            "handed_over": _handed_over(given), "back_url": back_to_inbox()[0],
            "date_form": session.pop("date_errors", None) or {"errors": {}, "values": {}},
            "due_value": _iso_day(human.due_at), "follow_up_value": _iso_day(human.follow_up_at)}


def _handed_over(given: dict[str, str] | None) -> dict | None:
    """Return the latest reason this task was handed on with, and when."""
    if given is None:
        return None
    return {"reason": given["reason"], "at": dt.datetime.fromisoformat(given["at"])}


def _iso_day(moment: dt.datetime | None) -> str:
    return moment.astimezone(LOCAL_TIME).date().isoformat() if moment is not None else ""


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
