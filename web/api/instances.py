"""Process instances: start, list with the management filters, show, suspend, resume, cancel, audit trail."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort

from engine import NotFound, ProcessInstance, audit, available_to, clock, lists, monitoring
from web.api import schemas
from web.api.auth import auth, caller, needs
from web.api.paging import check_revision, etag_of, page
from web.security import services
from workflows.cases.models import Case
from workflows.cases.visibility import visible_case, visible_case_refs

bp = APIBlueprint("instances", __name__, tag="Vorgänge")


def visible_instance(session, instance_id: int) -> ProcessInstance:
    """Return the instance if the caller manages instances, started it, or may see one of its tasks."""
    row = session.get(ProcessInstance, instance_id)
    who = caller()
    if row is None:
        abort(404, f"Vorgang {instance_id} gibt es nicht")
    if who.may("manage") or row.started_by == who.actor.name:
        return row
    if any(available_to(who.actor, t) for t in lists.instance_tasks(session, instance_id)):
        return row
    audit.record_refusal(session, who.actor.name, "access_denied", instance_id=instance_id, reason="api_instance")
    abort(404, f"Vorgang {instance_id} gibt es nicht")


def _visible_case(case_ref: str) -> None:
    """Answer 404 unless the caller may see the case it starts for (reads and refusals audited)."""
    try:
        with services().db.unit_of_work() as session:
            visible_case(session, case_ref, caller().actor, clock.now())
    except NotFound:
        abort(404, f"Fall {case_ref} gibt es nicht")


def _out(row: Any, variables: dict | None = None) -> dict:
    return {"id": row.id, "key": row.process_id, "version": row.version, "status": row.status,
            "business_key": row.business_key, "case_ref": row.case_ref, "revision": getattr(row, "revision", 0),
            "error_element": row.error_element, "error_message": getattr(row, "error_message", None),
            **({"variables": variables} if variables is not None else {})}


def _may_see_data(session, row: ProcessInstance) -> bool:
    """Variables may name the person: only for the starter, a unit with one of the tasks, or one that may open
    the case; the `manage` verb alone shows the instance, not its data (as managers see it in the browser)."""
    who = caller()
    if row.started_by == who.actor.name or any(available_to(who.actor, t)
                                               for t in lists.instance_tasks(session, row.id)):
        return True
    if row.case_ref is None:
        return True
    visible = visible_case_refs(session, who.actor).where(Case.case_ref == row.case_ref)
    return session.scalar(visible.limit(1)) is not None


def _show(instance_id: int, status: int = 200):
    with services().db.unit_of_work() as session:  # joins the caller's unit: a just-started row is not re-read
        row = visible_instance(session, instance_id)
        revision, data_visible = row.revision, _may_see_data(session, row)
        view = services().engine.show_in(session, row)
    body = _out(view, view.data if data_visible else None) | {"revision": revision}
    return body, status, {"ETag": etag_of(revision), "Location": f"/api/v1/process-instances/{instance_id}"}


@bp.post("/process-instances")
@bp.auth_required(auth)
@needs("start")
@bp.input(schemas.StartIn, arg_name="body")
@bp.output(schemas.InstanceOut, status_code=201, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 409, 422, 429])
def start(body: dict):
    """Start an instance of the latest (or the given) version with a business key or case reference.

    The caller must be one of the process's starters; the variables are checked against its start form.
    """
    if body.get("case_ref"):
        _visible_case(body["case_ref"])
    with services().db.unit_of_work():  # one transaction: the answer shows the instance as it was written
        instance_id = services().engine.start(body["key"], actor=caller().actor, data=body["variables"],
                                              business_key=body.get("business_key"), case_ref=body.get("case_ref"),
                                              version=body.get("version"))
        answer = _show(instance_id, 201)
    return answer


@bp.get("/process-instances")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.InstanceQuery, location="query", arg_name="query")
@bp.output(schemas.InstancePage)
@bp.doc(responses=[401, 403, 422, 429])
def list_instances(query: dict):
    """List instances with the management filters (process, version, status, area, unit, overdue, search)."""
    flt = monitoring.InstanceFilter(process_id=query.get("key"), version=query.get("version"),
                                    status=query.get("status"), area=query.get("area"), unit=query.get("unit"),
                                    overdue=query["overdue"], search=query.get("search"))
    with services().db.unit_of_work() as session:
        result = monitoring.instance_list(session, flt, limit=query["limit"], offset=query["offset"])
        audit.record(session, caller().actor.name, "instance_list_viewed", results=len(result.items),
                     searched=bool(query.get("search")), via="api")
    return page([_out(r) for r in result.items], result.total, query, result.total_capped)


@bp.get("/process-instances/<int(max=2147483647):instance_id>")
@bp.auth_required(auth)
@needs("read")
@bp.output(schemas.InstanceOut, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 429])
def show(instance_id: int):
    """Show an instance with its variables; the ETag is its revision. The read is audited (ids only)."""
    body, status, headers = _show(instance_id)
    with services().db.unit_of_work() as session:
        audit.record(session, caller().actor.name, "instance_viewed", instance_id=instance_id,
                     case_ref=body["case_ref"], via="api", data_shown="variables" in body)
    return body, status, headers


def _admin(instance_id: int, verb: str, reason: str):
    engine = services().engine
    with services().db.unit_of_work() as session:
        check_revision(visible_instance(session, instance_id).revision)
    getattr(engine, verb)(instance_id, actor=caller().actor, reason=reason)
    return _show(instance_id)


@bp.post("/process-instances/<int(max=2147483647):instance_id>/suspend")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.ReasonIn, arg_name="body")
@bp.output(schemas.InstanceOut, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 409, 412, 422, 429])
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def suspend(instance_id: int, body: dict, precondition: dict):
    """Suspend an instance (timers wait, tasks cannot be completed)."""
    return _admin(instance_id, "suspend", body["reason"])


@bp.post("/process-instances/<int(max=2147483647):instance_id>/resume")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.ReasonIn, arg_name="body")
@bp.output(schemas.InstanceOut, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 409, 412, 422, 429])
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def resume(instance_id: int, body: dict, precondition: dict):
    """Resume a suspended instance."""
    return _admin(instance_id, "resume", body["reason"])


@bp.post("/process-instances/<int(max=2147483647):instance_id>/cancel")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.CancelIn, arg_name="body")
@bp.output(schemas.InstanceOut, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 409, 412, 422, 429])
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def cancel(instance_id: int, body: dict, precondition: dict):
    """Cancel an instance for good, with a reason."""
    return _admin(instance_id, "cancel", body["reason"])


@bp.get("/process-instances/<int(max=2147483647):instance_id>/audit")
@bp.auth_required(auth)
@needs("manage")
@bp.input(schemas.PageQuery, location="query", arg_name="query")
@bp.output(schemas.AuditPage)
@bp.doc(responses=[401, 403, 404, 422, 429])
def audit_trail(instance_id: int, query: dict):
    """Return the audit trail of an instance, newest first."""
    with services().db.reading() as session:
        if session.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"Vorgang {instance_id} gibt es nicht")
        events = audit.events(session, instance_id=instance_id, limit=query["offset"] + query["limit"] + 1)
    items = [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "task_id": e.task_id,
              "details": e.details} for e in events[query["offset"]:query["offset"] + query["limit"]]]
    return page(items, query["offset"] + len(events[query["offset"]:]), query,
                capped=len(events) > query["offset"] + query["limit"])
