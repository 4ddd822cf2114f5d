"""The inbox: Meine Aufgaben, Gruppenaufgaben, Erledigt; claim, unclaim and delegate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine import InboxFilter, KimflowError, NotFound, PermissionDenied, clock, handover, org
from engine import inbox as inbox_queries
from engine import lists as queries
from web.security import current_actor, record, roles_required, services
from web.staff import bp
from workflows.cases.people import NeedToKnowPeople

STAFF = ("staff", "admin")
VIEW_SLUGS = {"meine": "mine", "gruppe": "group", "erledigt": "done"}
LANDING = "landen"  # on Meine Aufgaben: go on to the group queue when nothing of one's own waits
MAX_PAGE = 10_000  # an offset beyond this overflows nothing and shows an empty page


@bp.route("/")
@roles_required(*STAFF, "manager", "designer")
def home():
    """Send each user to the start page of their role."""
    roles = current_actor().roles
    if roles & set(STAFF):
        return redirect(url_for("staff.inbox"))
    return redirect("/manage/" if "manager" in roles else "/designer/")


def _date_arg(args: Mapping[str, str], name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(args.get(name, ""))
    except ValueError:
        return None


def _filter_from_args(view: str, args: Mapping[str, str]) -> InboxFilter:
    sort = args.get("sort") or ("completed" if view == "done" else "due")
    return InboxFilter(
        process_id=args.get("prozess") or None, area=args.get("kommune") or None,
        due=args.get("faellig") or None, follow_up=args.get("wiedervorlage") or None,
        priority=args.get("prioritaet") or None, created_from=_date_arg(args, "von"),
        created_to=_date_arg(args, "bis"), search=(args.get("suche") or "").strip()[:100] or None,
        sort=sort if sort in inbox_queries.SORTS else "due", include_claimed=args.get("alle") == "1",
        soon_days=current_app.config["DUE_SOON_DAYS"])


def inbox_url(slug: str, args: Mapping[str, str] | None = None) -> str:
    """Return the path of an inbox view with its filter (Meine Aufgaben by its own path: /aufgaben lands)."""
    query = urlencode([(k, v) for k, v in (args or {}).items() if v])
    return url_for("staff.inbox", slug=slug) + (f"?{query}" if query else "")


def _page_number() -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("seite", "1"))))
    except ValueError:
        return 1


def _directory(session, actor, now: dt.datetime) -> NeedToKnowPeople | None:
    """Return the person directory narrowed to the cases whose names the user may see."""
    people = services().engine.extensions.people
    return NeedToKnowPeople(people, session, actor, now) if people is not None else None


@bp.route("/aufgaben")
@bp.route("/aufgaben/<any(meine, gruppe, erledigt):slug>")
@roles_required(*STAFF)
def inbox(slug: str | None = None):
    """Show one view of the inbox with filters, sort, search and pages (the bare path lands where work is)."""
    landing = (slug is None and not request.args) or request.args.get(LANDING) == "1"
    slug = slug or "meine"
    view, actor, now = VIEW_SLUGS[slug], current_actor(), clock.now()
    args = {k: v for k, v in request.args.items() if k not in ("seite", LANDING)}
    flt = _filter_from_args(view, args)
    size = current_app.config["INBOX_PAGE_SIZE"]
    page_no = _page_number()
    with services().db.reading() as db_session:
        waiting = inbox_queries.counts(db_session, actor)
        if landing and view == "mine" and not waiting["mine"] and waiting["group"]:
            return redirect(inbox_url("gruppe", args))  # nothing of one's own waits: land where work waits
        directory = _directory(db_session, actor, now)
        page = inbox_queries.inbox(db_session, view, actor, flt, now=now, limit=size, offset=(page_no - 1) * size,
                                   directory=directory)
        badges = {view: _badge(n) for view, n in waiting.items()}
        names = inbox_queries.people(db_session, {t.case_ref for t in page.items if t.case_ref}, directory)
        processes = inbox_queries.process_names(db_session)
        areas = inbox_queries.areas(db_session)
    rows = [_row(task, names, processes, now) for task in page.items]
    if names:  # the page shows people: a list view of their cases is audited too
        record("inbox_viewed", view=view, cases=sorted(names))
    pages = max(1, -(-page.total // size))
    session["inbox_back"] = inbox_url(slug, args)  # where "Erledigen" returns and "und nächste" looks
    return render_template("staff/inbox.html", slug=slug, view=view, rows=rows, page=page, page_no=page_no,
                           pages=pages, badges=badges, flt=flt, processes=processes, areas=areas, args=args,
                           inbox_url=inbox_url, filtered=bool(set(args) - {"sort"}),
                           forget_task=session.pop("forget_task", None))


def back_to_inbox() -> tuple[str, str, MultiDict]:
    """Return the inbox view the user came from: (path, slug, filter arguments)."""
    path = str(session.get("inbox_back") or inbox_url("meine"))
    parts = urlsplit(path)
    slug = parts.path.rsplit("/", 1)[-1]
    if parts.scheme or parts.netloc or not parts.path.startswith(url_for("staff.inbox")) or slug not in VIEW_SLUGS:
        return inbox_url("meine"), "meine", MultiDict()
    args = MultiDict(parse_qsl(parts.query))
    return inbox_url(slug, args), slug, args


def after_completion(done_task_id: str, *, next_task: bool) -> str:
    """Return where a user goes after completing a task: the next task of their view, or the view they came from.

    Meine Aufgaben is asked to land where work waits (the group queue when nothing of one's own is left): that page
    counts its badges anyway, so the completion itself counts nothing.
    """
    path, slug, args = back_to_inbox()
    view = VIEW_SLUGS[slug]
    if next_task:
        actor, now, lookup = current_actor(), clock.now(), "mine" if view == "done" else view
        with services().db.reading() as db_session:
            page = inbox_queries.inbox(db_session, lookup, actor, _filter_from_args(lookup, args), now=now,
                                       limit=5, directory=_directory(db_session, actor, now))
        following = next((t for t in page.items if t.id != done_task_id and t.status in ("open", "claimed")), None)
        if following is not None:
            return url_for("staff.task", task_id=following.id)
        flash(_("In dieser Ansicht wartet keine weitere Aufgabe."), "info")
    return inbox_url(slug, {**args, LANDING: "1"}) if view == "mine" else path


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
    """Hand a task to a colleague, a deputy or another unit of the same office, with a reason."""
    from web.staff.task_views import visible_task  # here: task_views imports this module

    human = visible_task(task_id)  # a task the user may not see is a 404 (audited) before the form is judged
    target = request.form.get("an", "").strip()
    reason = request.form.get("grund", "").strip()[:300]
    engine, actor = services().engine, current_actor()

    def act():
        if not reason:
            raise PermissionDenied(_("Bitte geben Sie einen Grund für die Weitergabe an."))
        if target.startswith(UNIT_PREFIX):
            unit = _unit(target.removeprefix(UNIT_PREFIX))
            if unit.office != human.office:  # the engine refuses it too; this says it in the user's language
                raise PermissionDenied(_("Aufgaben können nur an eine Einheit derselben Behörde weitergegeben "
                                         "werden."))
            engine.delegate_to_unit(task_id, actor=actor, unit=unit.code, office=unit.office, reason=reason)
        else:
            engine.delegate(task_id, actor=actor, to=_person(target), reason=reason)

    return _task_action(task_id, act, _("Die Aufgabe wurde weitergegeben."))


UNIT_PREFIX = "einheit:"


def _unit(code: str):
    with services().db.reading() as db_session:
        unit = next((u for u in org.list_units(db_session, active_only=True) if u.code == code), None)
    if unit is None:
        raise PermissionDenied(_("Diese Einheit gibt es nicht."))
    return unit


def _person(username: str):
    try:
        with services().db.reading() as db_session:
            return org.actor_for(db_session, username, clock.now())
    except NotFound:
        raise PermissionDenied(_("Diese Kollegin oder diesen Kollegen gibt es nicht.")) from None


def handover_choices(db_session, task, actor) -> dict[str, list[tuple[str, str]]]:
    """Return whom a task can go to: colleagues of its unit, their deputies today, other units of its office."""
    today = org.local_date(clock.now())
    choices = handover.handover_choices(db_session, task, actor, today)  # cached organisation
    return {"colleagues": choices.colleagues, "deputies": choices.deputies,
            "units": [(UNIT_PREFIX + code, name) for code, name in choices.units]}


def _badge(count: int) -> str:
    """Show a capped count as "1000+" (counts() reports one more than the cap when there are more)."""
    return f"{queries.COUNT_CAP}+" if count > queries.COUNT_CAP else str(count)
