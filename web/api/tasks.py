"""Human tasks: the inbox views under the task rule, the form as JSON Schema, claim, unclaim, delegate, complete."""

from __future__ import annotations

import hashlib

from apiflask import APIBlueprint, abort

from engine import HumanTask, InboxFilter, NotFound, audit, available_to, clock, inbox, org
from web.api import schemas
from web.api.auth import auth, caller, needs
from web.api.forms import json_schema
from web.api.paging import check_revision, etag_of, page
from web.security import services

bp = APIBlueprint("tasks", __name__, tag="Aufgaben")
ANSWERS = [401, 403, 404, 409, 412, 422, 429]


def _revision(task: HumanTask) -> str:
    state = f"{task.status}|{task.claimed_by}|{task.assignee}|{task.completed_by}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def visible_task(task_id: str) -> HumanTask:
    """Return the task if the caller's units may see it; otherwise audit the attempt and answer 404."""
    try:
        task = services().engine.task(task_id)
    except NotFound:
        abort(404, "Diese Aufgabe gibt es nicht")
    actor = caller().actor
    if actor.name in (task.claimed_by, task.completed_by) or available_to(actor, task):
        return task
    with services().db.unit_of_work() as session:
        audit.record(session, actor.name, "access_denied", task_id=task_id, instance_id=task.instance_id,
                     case_ref=task.case_ref, reason="api_task_outside_units")
    abort(404, "Diese Aufgabe gibt es nicht")


def _out(task: HumanTask) -> dict:
    return {"id": task.id, "instance_id": task.instance_id, "key": task.process_id, "element_id": task.element_id,
            "name": task.name, "office": task.office, "unit": task.unit, "case_ref": task.case_ref,
            "business_key": task.business_key, "status": task.status, "claimed_by": task.claimed_by,
            "due_at": task.due_at, "priority": task.priority, "created_at": task.created_at}


def _detail(task_id: str):
    task = visible_task(task_id)
    form, data = services().engine.task_form(task_id)
    return _out(task) | {"form": json_schema(form), "variables": data}, 200, {"ETag": etag_of(_revision(task))}


@bp.get("/tasks")
@bp.auth_required(auth)
@needs("tasks")
@bp.input(schemas.TaskQuery, location="query", arg_name="query")
@bp.output(schemas.TaskPage)
@bp.doc(responses=[401, 403, 422, 429])
def list_tasks(query: dict):
    """List tasks of one inbox view: queue (my units' open tasks), mine (claimed by me), done."""
    flt = InboxFilter(process_id=query.get("key"), search=query.get("search"),
                      sort="completed" if query["view"] == "done" else "due")
    view = {"queue": "group"}.get(query["view"], query["view"])
    with services().db.reading() as session:
        result = inbox.inbox(session, view, caller().actor, flt, now=clock.now(), limit=query["limit"],
                             offset=query["offset"])
        items = [_out(t) for t in result.items]
    return page(items, result.total, query, result.total_capped)


@bp.get("/tasks/<string:task_id>")
@bp.auth_required(auth)
@needs("tasks")
@bp.output(schemas.TaskDetail, headers=schemas.ETagHeader)
@bp.doc(responses=[401, 403, 404, 429])
def show(task_id: str):
    """Show a task with its form as JSON Schema and the data it is shown with."""
    return _detail(task_id)


def _act(task_id: str, verb: str, **kwargs):
    task = visible_task(task_id)
    check_revision(_revision(task))
    getattr(services().engine, verb)(task_id, actor=caller().actor, **kwargs)
    return _detail(task_id)


@bp.post("/tasks/<string:task_id>/claim")
@bp.auth_required(auth)
@needs("tasks")
@bp.output(schemas.TaskDetail, headers=schemas.ETagHeader)
@bp.doc(responses=ANSWERS)
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def claim(task_id: str, precondition: dict):
    """Take an open task (of several callers at once exactly one gets it; the others get 409)."""
    return _act(task_id, "claim")


@bp.post("/tasks/<string:task_id>/unclaim")
@bp.auth_required(auth)
@needs("tasks")
@bp.output(schemas.TaskDetail, headers=schemas.ETagHeader)
@bp.doc(responses=ANSWERS)
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def unclaim(task_id: str, precondition: dict):
    """Give a claimed task back to the queue."""
    return _act(task_id, "unclaim")


@bp.post("/tasks/<string:task_id>/delegate")
@bp.auth_required(auth)
@needs("tasks")
@bp.input(schemas.DelegateIn, arg_name="body")
@bp.output(schemas.TaskDetail, headers=schemas.ETagHeader)
@bp.doc(responses=ANSWERS)
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def delegate(task_id: str, body: dict, precondition: dict):
    """Hand a task to a colleague who may work on it."""
    with services().db.reading() as session:
        to = org.actor_for(session, body["to"], clock.now())
    return _act(task_id, "delegate", to=to, reason=body["reason"])


@bp.post("/tasks/<string:task_id>/complete")
@bp.auth_required(auth)
@needs("tasks")
@bp.input(schemas.CompleteIn, arg_name="body")
@bp.output(schemas.StatusOut)
@bp.doc(responses=ANSWERS)
@bp.input(schemas.Precondition, location="headers", arg_name="precondition")
def complete(task_id: str, body: dict, precondition: dict):
    """Complete a task; the variables are validated against its form exactly as in the browser."""
    if precondition.get("if_match"):  # comparing revisions needs the task as it is now
        check_revision(_revision(visible_task(task_id)))
    try:  # the engine reads the task once and refuses (audited) a caller whose units may not work on it
        status = services().engine.complete(task_id, actor=caller().actor, data=body["variables"])
    except NotFound:
        abort(404, "Diese Aufgabe gibt es nicht")
    return {"status": status}
