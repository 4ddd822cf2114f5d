"""The case list ("Meine Fälle", "Fälle der Einheit") and the person search."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request

from engine import clock
from web.cases import bp
from web.security import current_actor, roles_required, services
from workflows import case_list as listing
from workflows import person_search
from workflows.catalogue import CASE_MANAGEMENT, MUNICIPALITIES

STAFF = ("staff", "admin")


def _filter() -> listing.CaseFilter:
    args = request.args
    default_scope = "mine" if CASE_MANAGEMENT in current_actor().offices else "unit"
    scope = args.get("ansicht", default_scope)
    status, sort = args.get("status", "open"), args.get("sort", "-opened")
    try:
        page = int(args.get("seite", "1"))
    except ValueError:
        page = 1
    return listing.CaseFilter(
        scope=scope if scope in listing.SCOPES else "unit",
        status=status if status in listing.STATUSES else None,
        area=args.get("kommune") if args.get("kommune") in MUNICIPALITIES else None,
        overdue=args.get("ueberfaellig") == "1",
        sort=sort if sort in listing.SORTS else "-opened",
        page=min(max(page, 1), 1000))


@bp.route("/faelle", endpoint="case_list")
@roles_required(*STAFF)
def case_list_page():
    """List the cases the user may open, filtered, sorted and paged."""
    flt = _filter()
    with services().db.unit_of_work() as session:
        page = listing.case_page(session, current_actor(), flt, clock.now())
    query = {k: v for k, v in request.args.items() if k != "seite"}
    return render_template("cases/list.html", page=page, flt=flt, areas=list(MUNICIPALITIES), query=query,
                           today=clock.now().date())


def _birth_date(text: str) -> dt.date | None:
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


@bp.route("/personen")
@roles_required(*STAFF)
def person_search_page():
    """Find a person's case by name, birth date or case number (audited; only what need-to-know allows)."""
    name, born_text, ref = (request.args.get(k, "").strip()[:200] for k in ("name", "geburtsdatum", "fallnummer"))
    born = _birth_date(born_text) if born_text else None
    searched = bool(name or born or ref)
    hits: list = []
    error = None
    if born_text and born is None:
        error = "geburtsdatum"
    elif searched:
        with services().db.unit_of_work() as session:
            hits = person_search.search(session, current_actor(), name=name, birth_date=born, case_ref=ref)
    return render_template("cases/search.html", hits=hits, searched=searched, error=error,
                           values={"name": name, "geburtsdatum": born_text, "fallnummer": ref})
