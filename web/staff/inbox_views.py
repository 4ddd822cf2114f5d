"""The inbox: Meine Aufgaben, Gruppenaufgaben, Erledigt; claim, unclaim and delegate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import InboxFilter, KimflowError, NotFound, PermissionDenied, clock, org
from engine import inbox as inbox_queries
from engine import lists as queries
from web.security import current_actor, record, roles_required, services
from web.staff import bp
from workflows.cases.people import NeedToKnowPeople

STAFF = ("staff", "admin")
VIEW_SLUGS = {"meine": "mine", "gruppe": "group", "erledigt": "done"}
MAX_PAGE = 10_000  # an offset beyond this overflows nothing and shows an empty page


@bp.route("/")
@roles_required(*STAFF, "manager", "designer")
def home():
    """Send each user to the start page of their role."""
    roles = current_actor().roles
    if roles & set(STAFF):
        return redirect(url_for("staff.inbox"))
    return redirect("/manage/" if "manager" in roles else "/designer/")


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filter_from_args(view: str) -> InboxFilter:
    sort = request.args.get("sort") or ("completed" if view == "done" else "due")
    return InboxFilter(
        process_id=request.args.get("prozess") or None, area=request.args.get("kommune") or None,
        due=request.args.get("faellig") or None, follow_up=request.args.get("wiedervorlage") or None,
        priority=request.args.get("prioritaet") or None, created_from=_date_arg("von"),
        created_to=_date_arg("bis"), search=(request.args.get("suche") or "").strip()[:100] or None,
        sort=sort if sort in inbox_queries.SORTS else "due", include_claimed=request.args.get("alle") == "1",
        soon_days=current_app.config["DUE_SOON_DAYS"])


def _page_number() -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("seite", "1"))))
    except ValueError:
        return 1


def _directory(session, actor, now: dt.datetime) -> NeedToKnowPeople | None:
    """Return the person directory narrowed to the cases whose names the user may see."""
    people = services().engine.extensions.people
    return NeedToKnowPeople(people, session, actor, now) if people is not None else None


@bp.route("/aufgaben", defaults={"slug": "meine"})
@bp.route("/aufgaben/<any(meine, gruppe, erledigt):slug>")
@roles_required(*STAFF)
def inbox(slug: str):
    """Show one view of the inbox with filters, sort, search and pages."""
    view, actor, now = VIEW_SLUGS[slug], current_actor(), clock.now()
    flt = _filter_from_args(view)
    size = current_app.config["INBOX_PAGE_SIZE"]
    page_no = _page_number()
    with services().db.reading() as session:
        directory = _directory(session, actor, now)
        page = inbox_queries.inbox(session, view, actor, flt, now=now, limit=size, offset=(page_no - 1) * size,
                                   directory=directory)
        badges = {view: _badge(n) for view, n in inbox_queries.counts(session, actor).items()}
        names = inbox_queries.people(session, {t.case_ref for t in page.items if t.case_ref}, directory)
        processes = inbox_queries.process_names(session)
        areas = inbox_queries.areas(session)
    rows = [_row(task, names, processes, now) for task in page.items]
    if names:  # the page shows people: a list view of their cases is audited too
        record("inbox_viewed", view=view, cases=sorted(names))
    pages = max(1, -(-page.total // size))
    return render_template("staff/inbox.html", slug=slug, view=view, rows=rows, page=page, page_no=page_no,
                           pages=pages, badges=badges, flt=flt, processes=processes, areas=areas,
                           args={k: v for k, v in request.args.items() if k != "seite"})


def _row(task, names: dict[str, str], processes: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    soon = now + dt.timedelta(days=current_app.config["DUE_SOON_DAYS"])
    urgency = None
    if task.due_at is not None and task.status in ("open", "claimed"):
        urgency = "overdue" if task.due_at < now else "soon" if task.due_at < soon else None
    return {"task": task, "person": names.get(task.case_ref or "", ""), "urgency": urgency,
            "process": processes.get(task.process_id, task.process_id),
            "follow_up_due": bool(task.follow_up_at and task.follow_up_at <= now),
            "high": task.priority >= inbox_queries.HIGH_PRIORITY}


def _back(default: str = "staff.inbox") -> Any:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(default))


def _task_action(task_id: str, action, success: str):
    try:
        action()
    except NotFound:
        abort(404)  # the engine has audited the denied attempt
    except KimflowError as err:
        flash(str(err), "error")
    else:
        flash(success, "success")
    return _back()


@bp.route("/aufgabe/<task_id>/uebernehmen", methods=["POST"])
@roles_required(*STAFF)
def claim(task_id: str):
    """Take a task from the group queue into Meine Aufgaben."""
    engine = services().engine
    return _task_action(task_id, lambda: engine.claim(task_id, actor=current_actor()),
                        _("Die Aufgabe liegt jetzt in Ihren Aufgaben."))


@bp.route("/aufgabe/<task_id>/freigeben", methods=["POST"])
@roles_required(*STAFF)
def unclaim(task_id: str):
    """Give a task back to the group queue."""
    engine = services().engine
    return _task_action(task_id, lambda: engine.unclaim(task_id, actor=current_actor()),
                        _("Die Aufgabe ist wieder in den Gruppenaufgaben."))


@bp.route("/aufgabe/<task_id>/weitergeben", methods=["POST"])
@roles_required(*STAFF)
def delegate(task_id: str):
    """Hand a task to a colleague of the unit."""
    colleague = request.form.get("an", "").strip()
    engine, db = services().engine, services().db
    try:
        with db.reading() as session:
            to = org.actor_for(session, colleague, clock.now())
    except NotFound:
        to = None

    def act():
        if to is None:
            raise PermissionDenied(_("Diese Kollegin oder diesen Kollegen gibt es nicht."))
        engine.delegate(task_id, actor=current_actor(), to=to, reason=request.form.get("grund", "")[:300])

    return _task_action(task_id, act, _("Die Aufgabe wurde an %(name)s weitergegeben.", name=colleague))


def _badge(count: int) -> str:
    """Show a capped count as "1000+" (counts() reports one more than the cap when there are more)."""
    return f"{queries.COUNT_CAP}+" if count > queries.COUNT_CAP else str(count)
