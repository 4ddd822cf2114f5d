"""The case file: released master data, consents, deadlines, open tasks, timeline, notes and documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine import Actor, HumanTask, KimflowError, NotFound, clock
from web.security import attachment, current_actor, deny, roles_required, services
from web.staff import bp, case_access, timeline
from web.staff.uploads import UploadRefused, check_upload
from workflows.cases import consent, deadlines, lateness
from workflows.cases import files as cases
from workflows.cases.models import CATEGORIES, TaskReminder
from workflows.cases.timeline import CaseRecords
from workflows.cases.visibility import CaseView, visible_case

STAFF = ("staff", "admin")


@bp.route("/fall/<case_ref>")
@roles_required(*STAFF)
def case_file(case_ref: str):
    """Show the person-centred case file as far as the user's unit may see it."""
    actor = current_actor()
    try:
        with services().db.unit_of_work() as session:
            # The case's tasks (with their reminders) are read once: they decide a task basis and fill the tasks,
            # timeline, late work and the plan's measures.
            tasks, reminders = lateness.tasks_with_reminders(session, case_ref)
            view = visible_case(session, case_ref, actor, clock.now(), case_tasks=tasks)
            context = _sections(session, view, tasks, reminders, actor)
    except NotFound:
        abort(404)
    return render_template("staff/case.html", view=view, fields=case_access.display_fields(view),
                           header=case_access.header(view), manages=case_access.manages(view),
                           categories=CATEGORIES, category_labels=case_access.CATEGORY_LABELS,
                           today=dt.date.today(), **context)


def _sections(session: Session, view: CaseView, tasks: list[HumanTask], reminders: list[TaskReminder],
              actor: Actor) -> dict[str, Any]:
    """Return what the case file shows beside the case, each section only as far as the view releases it."""
    case_ref = view.case_ref
    shown = cases.open_tasks(session, tasks)
    if not view.full:
        shown = [t for t in shown if t.unit in actor.units or (t.unit is None and t.office in actor.offices)]
    # Deadlines are read once: the timeline, the register and the late work share them with tasks and reminders.
    records = CaseRecords(tasks, cases.list_deadlines(session, case_ref), reminders)
    notes, documents = cases.notes_and_documents(session, case_ref) if view.file_released else ([], [])
    return {
        "consents": list(view.consents),
        "deadlines": records.deadlines if view.full or view.sees("aufenthalt") else [],
        "tasks": shown,
        "entries": timeline.entries(session, case_ref, records, actor, full=view.full),
        "readable": timeline.readable_tasks(session, tasks, actor, full=view.full),
        "late": lateness.late_among(session, tasks, records.reminders) if view.full else [],
        "plan": timeline.plan_section(session, case_ref, tasks) if view.full else None,
        "notes": notes,
        "documents": documents,
    }


def _released_file(case_ref: str):
    """Return the case view if notes and documents are released to the user; otherwise an audited 404."""
    view = case_access.case_or_404(case_ref)
    if not view.file_released:
        deny("case_file_not_released", case_ref=case_ref)
    return view


def _back_to_case(case_ref: str):
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("staff.case_file", case_ref=case_ref))


@bp.route("/fall/<case_ref>/notiz", methods=["POST"])
@roles_required(*STAFF)
def add_note(case_ref: str):
    """Add a comment to the case."""
    _released_file(case_ref)
    text = request.form.get("text", "").strip()
    if not text:
        flash(_("Bitte einen Kommentar eingeben."), "error")
    else:
        with services().db.unit_of_work() as session:
            cases.add_note(session, case_ref, text[:5000], actor=current_actor().name)
        flash(_("Der Kommentar wurde gespeichert."), "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/dokument", methods=["POST"])
@roles_required(*STAFF)
def upload(case_ref: str):
    """Store an uploaded PDF or image with its checksum."""
    _released_file(case_ref)
    file = request.files.get("datei")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    content = file.stream.read(limit + 1) if file else b""
    try:
        filename, content_type = check_upload((file.filename or "") if file else "", content, limit)
    except UploadRefused as err:
        flash(str(err), "error")
        return _back_to_case(case_ref)
    with services().db.unit_of_work() as session:
        cases.add_document(session, case_ref, filename, content_type, content, actor=current_actor().name)
    flash(_("Das Dokument »%(name)s« wurde gespeichert.", name=filename), "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/dokument/<int:document_id>")
@roles_required(*STAFF)
def download(case_ref: str, document_id: int):
    """Send a document of the case (audited)."""
    _released_file(case_ref)
    try:
        with services().db.unit_of_work() as session:
            document = cases.get_document(session, case_ref, document_id, actor=current_actor().name)
            content, filename, content_type = document.content, document.filename, document.content_type
    except NotFound:
        abort(404)
    except KimflowError as err:
        flash(str(err), "error")
        return redirect(url_for("staff.case_file", case_ref=case_ref))
    response = Response(content, mimetype=content_type)
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def _managed_case(case_ref: str):
    view = case_access.case_or_404(case_ref)
    if not case_access.manages(view):
        deny("consent_change_not_case_management", case_ref=case_ref)
    return view


@bp.route("/fall/<case_ref>/einwilligung", methods=["POST"])
@roles_required(*STAFF)
def add_consent(case_ref: str):
    """Record a consent (case management only)."""
    _managed_case(case_ref)
    form = request.form
    try:
        valid_from = dt.date.fromisoformat(form.get("gueltig_ab") or clock.now().date().isoformat())
        valid_until = dt.date.fromisoformat(form["gueltig_bis"]) if form.get("gueltig_bis") else None
        with services().db.unit_of_work() as session:
            consent.record_consent(
                session, case_ref, form.get("stelle", "").strip(), form.getlist("kategorien"),
                form.get("zweck", "").strip() or "Kommunales Integrationsmanagement",
                actor=current_actor().name, valid_from=valid_from, valid_until=valid_until,
                mutual=form.get("gegenseitig") == "1", health_data=form.get("gesundheit") == "1")
    except (ValueError, KimflowError) as err:
        flash(_("Die Einwilligung wurde nicht gespeichert: %(reason)s", reason=str(err)), "error")
    else:
        flash(_("Die Einwilligung wurde gespeichert."), "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/einwilligung/<int:consent_id>/widerruf", methods=["POST"])
@roles_required(*STAFF)
def revoke(case_ref: str, consent_id: int):
    """Revoke a consent with immediate effect; open requests to that office are withdrawn."""
    _managed_case(case_ref)
    with services().db.reading() as session:
        row = next((c for c in consent.list_consents(session, case_ref) if c.id == consent_id), None)
    if row is None:
        abort(404)
    withdrawn = consent.revoke_consent(services().engine, consent_id, actor=current_actor(),
                                       reason=request.form.get("grund", "")[:300])
    flash(_("Die Einwilligung wurde widerrufen; %(n)d offene Anfrage(n) wurden zurückgezogen.", n=len(withdrawn)),
          "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/frist/<int:deadline_id>/erledigt", methods=["POST"])
@roles_required(*STAFF)
def deadline_done(case_ref: str, deadline_id: int):
    """Mark a deadline of the register as dealt with."""
    case_access._case_management_only(case_ref, "deadline_change_not_case_management")
    with services().db.unit_of_work() as session:
        if not any(d.id == deadline_id for d in cases.list_deadlines(session, case_ref)):
            abort(404)
        cases.complete_deadline(session, deadline_id, actor=current_actor().name)
    flash(_("Die Frist ist als erledigt markiert."), "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/frist/<int:deadline_id>/schliessen", methods=["POST"])
@roles_required(*STAFF)
def deadline_close(case_ref: str, deadline_id: int):
    """Close a deadline by hand with a reason (case management)."""
    case_access._case_management_only(case_ref, "deadline_change_not_case_management")
    try:
        with services().db.unit_of_work() as session:
            deadlines.close_by_hand(session, case_ref, deadline_id, request.form.get("grund", ""),
                                    actor=current_actor().name)
    except NotFound:
        abort(404)
    except deadlines.ReasonMissing:
        flash(_("Bitte einen Grund angeben, warum die Frist geschlossen wird."), "error")
    else:
        flash(_("Die Frist ist geschlossen."), "success")
    return _back_to_case(case_ref)


@bp.route("/fall/<case_ref>/aufgabe/<task_id>/erinnerung", methods=["POST"])
@roles_required(*STAFF)
def send_reminder(case_ref: str, task_id: str):
    """Remind the unit holding an overdue task of the case (case management; once a day per task)."""
    case_access._case_management_only(case_ref, "reminder_not_case_management", task_id=task_id)
    try:
        with services().db.unit_of_work() as session:
            lateness.send_reminder(session, case_ref, task_id, actor=current_actor().name)
    except NotFound:
        abort(404)
    except lateness.AlreadyReminded:
        flash(_("Zu dieser Aufgabe wurde heute bereits erinnert."), "error")
    except lateness.NotOverdue:
        flash(_("Die Aufgabe ist nicht überfällig oder schon erledigt."), "error")
    else:
        flash(_("Die Erinnerung wurde an die zuständige Stelle gesendet."), "success")
    return _back_to_case(case_ref)


@bp.app_template_global()
def task_reminders(task_id: str) -> list:
    """Return the reminders case management sent about a task (shown beside the task to its unit)."""
    with services().db.reading() as session:
        return lateness.reminders_for(session, task_id)


from web.staff import completed_views  # noqa: E402,F401  (registers the read-only completed task)
