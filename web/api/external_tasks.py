"""External tasks for workers of specialist systems: fetch-and-lock, complete, failure, BPMN error, locks."""

from __future__ import annotations

import datetime as dt

from apiflask import APIBlueprint, Schema, fields, validators

from engine import external_tasks
from web.api.auth import auth, caller, needs
from web.security import services
from workflows.cases.visibility import visible_case_refs

bp = APIBlueprint("external_tasks", __name__, tag="Externe Aufgaben")
ANSWERS = [401, 403, 404, 409, 422, 429]
WORKER = validators.Length(min=1, max=200)
DURATION = validators.Range(min=1, max=7 * 24 * 3600 * 1000)  # milliseconds, as in Camunda


class FetchIn(Schema):
    worker_id = fields.String(required=True, validate=WORKER)
    topics = fields.List(fields.String(validate=WORKER), required=True, validate=validators.Length(min=1, max=50))
    max_tasks = fields.Integer(load_default=1, validate=validators.Range(min=1, max=100))
    lock_duration = fields.Integer(load_default=300_000, validate=DURATION)
    # Long polling as in Camunda: hold an empty answer back for up to this many milliseconds (at most 30 s).
    async_response_timeout = fields.Integer(load_default=0, validate=validators.Range(min=0, max=30_000))


class LockedOut(Schema):
    id = fields.String(required=True)
    topic = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    element_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    variables = fields.Dict(keys=fields.String(), required=True)
    worker_id = fields.String(required=True)
    lock_expires_at = fields.DateTime(required=True)
    retries = fields.Integer(allow_none=True)


class FetchOut(Schema):
    items = fields.List(fields.Nested(LockedOut), required=True)


class WorkerIn(Schema):
    worker_id = fields.String(required=True, validate=WORKER)


class CompleteIn(WorkerIn):
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class FailureIn(WorkerIn):
    error_message = fields.String(required=True, validate=validators.Length(min=1, max=4000))
    retries = fields.Integer(required=True, validate=validators.Range(min=0, max=1000))
    retry_timeout = fields.Integer(load_default=0, validate=validators.Range(min=0, max=7 * 24 * 3600 * 1000))


class BpmnErrorIn(CompleteIn):
    error_code = fields.String(required=True, validate=WORKER)
    error_message = fields.String(load_default="", validate=validators.Length(max=4000))


class ExtendIn(WorkerIn):
    new_duration = fields.Integer(required=True, validate=DURATION)


class StatusOut(Schema):
    status = fields.String(required=True)


class LockOut(Schema):
    lock_expires_at = fields.DateTime(required=True)


def _ms(value: int) -> dt.timedelta:
    return dt.timedelta(milliseconds=value)


@bp.post("/external-tasks/fetch-and-lock")
@bp.auth_required(auth)
@needs("external")
@bp.input(FetchIn, arg_name="body")
@bp.output(FetchOut)
@bp.doc(responses=ANSWERS)
def fetch_and_lock(body: dict):
    """Lock up to max_tasks available tasks of the topics for this worker and return them with their variables."""
    with services().db.reading() as session:  # tasks of cases the caller's units may not see stay hidden
        case_refs = visible_case_refs(session, caller().actor)
    locked = external_tasks.fetch_and_lock(services().engine, body["worker_id"], body["topics"],
                                           max_tasks=body["max_tasks"], lock_duration=_ms(body["lock_duration"]),
                                           wait=_ms(body["async_response_timeout"]), case_refs=case_refs)
    return {"items": [task.__dict__ for task in locked]}


@bp.post("/external-tasks/<string:task_id>/complete")
@bp.auth_required(auth)
@needs("external")
@bp.input(CompleteIn, arg_name="body")
@bp.output(StatusOut)
@bp.doc(responses=ANSWERS)
def complete(task_id: str, body: dict):
    """Complete a task this worker holds, with its result variables; the process moves on."""
    status = external_tasks.complete(services().engine, task_id, body["worker_id"], actor=caller().actor,
                                     variables=body["variables"])
    return {"status": status}


@bp.post("/external-tasks/<string:task_id>/failure")
@bp.auth_required(auth)
@needs("external")
@bp.input(FailureIn, arg_name="body")
@bp.output(StatusOut)
@bp.doc(responses=ANSWERS)
def failure(task_id: str, body: dict):
    """Report a failed attempt: retried after retry_timeout while retries remain, at zero an incident."""
    external_tasks.failure(services().engine, task_id, body["worker_id"], actor=caller().actor,
                           message=body["error_message"], retries=body["retries"],
                           retry_timeout=_ms(body["retry_timeout"]))
    return {"status": "failed" if body["retries"] == 0 else "open"}


@bp.post("/external-tasks/<string:task_id>/bpmn-error")
@bp.auth_required(auth)
@needs("external")
@bp.input(BpmnErrorIn, arg_name="body")
@bp.output(StatusOut)
@bp.doc(responses=ANSWERS)
def bpmn_error(task_id: str, body: dict):
    """Throw a BPMN error from the task; the boundary error event with that code takes over."""
    status = external_tasks.bpmn_error(services().engine, task_id, body["worker_id"], body["error_code"],
                                       actor=caller().actor, message=body["error_message"],
                                       variables=body["variables"])
    return {"status": status}


@bp.post("/external-tasks/<string:task_id>/extend-lock")
@bp.auth_required(auth)
@needs("external")
@bp.input(ExtendIn, arg_name="body")
@bp.output(LockOut)
@bp.doc(responses=ANSWERS)
def extend_lock(task_id: str, body: dict):
    """Extend this worker's lock to now + new_duration milliseconds."""
    expiry = external_tasks.extend_lock(services().engine, task_id, body["worker_id"], _ms(body["new_duration"]))
    return {"lock_expires_at": expiry}


@bp.post("/external-tasks/<string:task_id>/unlock")
@bp.auth_required(auth)
@needs("external")
@bp.output(StatusOut)
@bp.doc(responses=[401, 403, 404, 429])
def unlock(task_id: str):
    """Return a locked task to the pool at once."""
    external_tasks.unlock(services().engine, task_id)
    return {"status": "open"}
