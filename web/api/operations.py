"""Message correlation, incidents (list, retry) and case data as far as need-to-know allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apiflask import APIBlueprint, abort

from engine import CorrelationError, NotFound, clock, monitoring
from web.api import schemas
from web.api.auth import auth, caller, needs
from web.api.paging import page
from web.security import services
from workflows.cases.visibility import visible_case

bp = APIBlueprint("operations", __name__, tag="Nachrichten, Störungen, Fälle")


@bp.post("/messages")
@bp.auth_required(auth)
@needs("messages")
@bp.input(schemas.MessageIn, arg_name="body")
@bp.output(schemas.MessageOut)
@bp.doc(responses=[401, 403, 404, 409, 422, 429])
def correlate(body: dict):
    """Deliver a message (by business key or case reference and correlation keys) to whoever waits for it."""
    try:
        ids = services().engine.correlate(body["name"], actor=caller().actor, payload=body["payload"],
                                          business_key=body.get("business_key"), case_ref=body.get("case_ref"),
                                          correlation=body["correlation"])
    except CorrelationError as err:
        abort(404, str(err))
    return {"instance_ids": ids}


@bp.get("/incidents")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.IncidentQuery, location="query", arg_name="query")
@bp.output(schemas.IncidentPage)
@bp.doc(responses=[401, 403, 422, 429])
def incidents(query: dict):
    """List incidents, newest first (open ones only unless open_only=false)."""
    with services().db.reading() as session:
        rows = monitoring.incident_list(session, open_only=query["open_only"],
                                        limit=query["offset"] + query["limit"] + 1)
    chosen = rows[query["offset"]:query["offset"] + query["limit"]]
    items = [{"id": r.id, "instance_id": r.instance_id, "key": r.process_id, "element_id": r.element_id,
              "kind": r.kind, "message": r.message, "created_at": r.created_at, "resolved_at": r.resolved_at}
             for r in chosen]
    return page(items, query["offset"] + len(rows[query["offset"]:]), query,
                capped=len(rows) > query["offset"] + query["limit"])


@bp.post("/process-instances/<int(max=2147483647):instance_id>/retry")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.RetryIn, arg_name="body")
@bp.output(schemas.StatusOut)
@bp.doc(responses=[401, 403, 404, 409, 422, 429])
def retry(instance_id: int, body: dict):
    """Run a failed instance again from its failed tasks, optionally with corrected variables."""
    status = services().engine.retry(instance_id, actor=caller().actor, data=body["variables"] or None,
                                     reason=body["reason"])
    return {"status": status}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


@bp.get("/cases/<string:case_ref>")
@bp.auth_required(auth)
@needs("cases")
@bp.output(schemas.CaseOut)
@bp.doc(responses=[401, 403, 404, 429])
def case(case_ref: str):
    """Show what the caller's units may see of a case (consent or legal basis); every read is audited."""
    try:
        with services().db.unit_of_work() as session:
            view = visible_case(session, case_ref, caller().actor, clock.now())
    except NotFound:
        abort(404, f"Fall {case_ref} gibt es nicht")
    return {"case_ref": view.case_ref, "area": view.area, "status": view.status, "opened_at": view.opened_at,
            "closed_at": view.closed_at, "basis": view.basis, "categories": sorted(view.categories),
            "hidden": list(view.hidden), "fields_": _plain(view.fields)}
