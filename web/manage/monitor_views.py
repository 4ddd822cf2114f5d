"""Instance list, instance page with admin actions, and incidents."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import KimflowError, NotFound, clock, monitoring, org
from web.manage import MANAGERS, bp
from web.manage.incident_views import retry_with
from web.security import current_actor, record, roles_required, services
from workflows.steering.labels import area_name

STATUSES = {"running": _l("läuft"), "suspended": _l("angehalten"), "error": _l("Fehler"),
            "completed": _l("beendet"), "cancelled": _l("abgebrochen")}


def _date(name: str) -> dt.datetime | None:
    value = request.args.get(name, "").strip()
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC) if value else None
    except ValueError:
        return None


def _filter() -> monitoring.InstanceFilter:
    version = request.args.get("version", "")
    return monitoring.InstanceFilter(
        process_id=request.args.get("process") or None, version=int(version) if version.isdigit() else None,
        status=request.args.get("status") or None, area=request.args.get("area") or None,
        unit=request.args.get("unit") or None, started_from=_date("from"), started_to=_date("to"),
        overdue=request.args.get("overdue") == "1", search=request.args.get("q") or None,
        sort=request.args.get("sort", "-id"))


@bp.get("/")
@roles_required(*MANAGERS)
def index():
    """Show the start page: open and overdue work per unit and municipality, incidents, throughput."""
    with services().db.reading() as session:
        summary = monitoring.overview(session)
        incidents = monitoring.incident_list(session, limit=5)
    chart = {"labels": [day.strftime("%d.%m.") for day, _n in summary.completed_per_day],
             "values": [n for _day, n in summary.completed_per_day]}
    return render_template("manage/index.html", summary=summary, incidents=incidents, chart=chart,
                           area_name=area_name)


@bp.get("/instances")
@roles_required(*MANAGERS)
def instances():
    """List instances with filters, sort and pagination."""
    page_no = max(1, request.args.get("page", 1, type=int))
    with services().db.reading() as session:
        page = monitoring.instance_list(session, _filter(), limit=50, offset=(page_no - 1) * 50)
        options = monitoring.filter_options(session)
    # Business keys may name people: the listing is a read of instance data (counts only; the search may be a name).
    record("instance_list_viewed", results=len(page.items), searched=bool(request.args.get("q")))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("manage/instances.html", page=page, page_no=page_no, options=options,
                           statuses=STATUSES, args=args)


@bp.get("/instances/<int:instance_id>")
@roles_required(*MANAGERS)
def instance(instance_id: int):
    """Show an instance: diagram with the path taken, task history, timers, messages, incidents."""
    try:
        with services().db.reading() as session:
            detail = monitoring.instance_detail(session, instance_id)
    except NotFound:
        abort(404)
    data = services().engine.show(instance_id).data if "admin" in current_actor().roles else None
    record("instance_viewed", instance_id=instance_id, case_ref=detail.instance.case_ref, data_shown=data is not None)
    names = services().engine.element_names(detail.instance.process_id, detail.instance.version)
    return render_template("manage/instance.html", d=detail, data=data, statuses=STATUSES, names=names)


ACTIONS = ("suspend", "resume", "cancel", "retry")


@bp.post("/instances/<int:instance_id>/<action>")
@roles_required(*MANAGERS)
def act(instance_id: int, action: str):
    """Suspend, resume, cancel or retry an instance, or correct a value or reassign a task, with a reason."""
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(_("Bitte eine Begründung angeben; sie wird protokolliert."), "error")
        return redirect(url_for("manage.instance", instance_id=instance_id))
    engine, actor = services().engine, current_actor()
    try:
        if action == "retry":
            retry_with(instance_id, reason)
            return redirect(url_for("manage.instance", instance_id=instance_id))
        if action in ACTIONS:
            getattr(engine, action)(instance_id, actor=actor, reason=reason)
        elif action == "set-data":
            engine.set_data(instance_id, actor=actor, reason=reason,
                            values={request.form["field"].strip(): request.form.get("value", "")})
        elif action == "reassign":
            with services().db.reading() as session:
                colleague = org.actor_for(session, request.form["to"].strip(), clock.now())
            engine.delegate(request.form["task_id"], actor=actor, reason=reason, to=colleague)
        else:
            abort(404)
        flash(_("Aktion ausgeführt und protokolliert."), "success")
    except (KimflowError, KeyError, LookupError) as err:
        flash(str(err) or _("Aktion nicht möglich."), "error")
    return redirect(url_for("manage.instance", instance_id=instance_id))


@bp.get("/incidents")
@roles_required(*MANAGERS)
def incidents():
    """List incidents filtered by process, element and date, and the timer jobs that keep failing."""
    show_all = request.args.get("all") == "1"
    process_id = request.args.get("process") or None
    with services().db.reading() as session:
        rows = monitoring.incident_list(session, open_only=not show_all, process_id=process_id,
                                        element_id=request.args.get("element") or None, since=_date("since"))
        jobs = monitoring.failing_jobs(session, process_id=process_id)
        options = monitoring.filter_options(session)
    return render_template("manage/incidents.html", incidents=rows, jobs=jobs, show_all=show_all,
                           options=options, args=request.args)
