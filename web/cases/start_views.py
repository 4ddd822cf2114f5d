"""Vorgang starten: the processes this user may start, each with its start form, alone or for a case."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import FormErrors, KimflowError, NotFound, PermissionDenied, available_to, lists, startable
from web.cases import bp
from web.security import current_actor, deny, roles_required, services
from web.staff.case_access import case_or_404
from web.staff.form_values import rendered_fields, submitted_values

STAFF = ("staff", "admin")


def _process(process_id: str, case_ref: str | None) -> startable.Startable:
    """Return a process the user may start, else an audited 404."""
    with services().db.reading() as session:
        try:
            return startable.startable_process(session, current_actor(), process_id)
        except NotFound:
            pass
    deny("not_a_starter", case_ref=case_ref, process_id=process_id)


def _landing(instance_id: int, case_ref: str | None, name: str):
    """Go to the new instance's first task the user may work on, else to the case file or the start page."""
    actor = current_actor()
    with services().db.reading() as session:
        task = next((t for t in lists.instance_tasks(session, instance_id)
                     if t.status in ("open", "claimed") and available_to(actor, t)), None)
    flash(_("Der Vorgang »%(name)s« ist gestartet (Nr. %(id)d).", name=name, id=instance_id), "success")
    if task is not None:
        return redirect(url_for("staff.task", task_id=task.id))
    if case_ref:
        return redirect(url_for("staff.case_file", case_ref=case_ref))
    return redirect(url_for("cases.start_list"))


def _start_form(process: startable.Startable, case_ref: str | None):
    """Show the start form; on POST start the process through the engine or show the errors by the fields."""
    submitted, errors, status = None, {}, 200
    if request.method == "POST":
        submitted = submitted_values(process.form, request.form)
        try:
            instance_id = services().engine.start(process.process_id, actor=current_actor(), data=submitted,
                                                  case_ref=case_ref, version=process.version)
        except FormErrors as err:
            errors, status = err.errors, 400
        except PermissionDenied:
            abort(404)  # the engine audited the refusal
        except KimflowError as err:
            flash(_("Der Vorgang wurde nicht gestartet: %(reason)s", reason=str(err)), "error")
            status = 409
        else:
            return _landing(instance_id, case_ref, process.name)
    return render_template("cases/start_form.html", process=process, case_ref=case_ref, errors=errors,
                           fields=rendered_fields(process.form, {}, submitted, errors)), status


@bp.route("/vorgaenge/starten")
@roles_required(*STAFF)
def start_list():
    """List the processes this user may start."""
    with services().db.reading() as session:
        items = startable.startable(session, current_actor())
    return render_template("cases/start_list.html", items=items, case_ref=None)


@bp.route("/vorgaenge/starten/<process_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def start_process(process_id: str):
    """Show and submit the start form of one process."""
    return _start_form(_process(process_id, None), None)


@bp.route("/faelle/<case_ref>/starten")
@roles_required(*STAFF)
def case_start_list(case_ref: str):
    """List the processes this user may start for a case they may open."""
    case_or_404(case_ref)
    with services().db.reading() as session:
        items = startable.startable(session, current_actor())
    return render_template("cases/start_list.html", items=items, case_ref=case_ref)


@bp.route("/faelle/<case_ref>/starten/<process_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def case_start_process(case_ref: str, process_id: str):
    """Show and submit the start form of one process for a case (the instance carries the case reference)."""
    case_or_404(case_ref)
    return _start_form(_process(process_id, case_ref), case_ref)
