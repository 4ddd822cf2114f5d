"""Process definitions: list versions, deploy a bundle (designers), download a file of a version."""

from __future__ import annotations

from apiflask import APIBlueprint, abort
from flask import Response
from sqlalchemy import func, select

from engine import DefinitionVersion, startable
from web.api import schemas
from web.api.auth import auth, caller, needs
from web.api.forms import json_schema
from web.api.paging import page
from web.security import services

bp = APIBlueprint("definitions", __name__, tag="Prozessdefinitionen")


def _out(row: DefinitionVersion) -> dict:
    return {"id": row.id, "key": row.process_id, "version": row.version, "name": row.name,
            "deployed_by": row.deployed_by, "deployed_at": row.deployed_at, "files": sorted(row.files)}


@bp.get("/process-definitions")
@bp.auth_required(auth)
@needs("read")
@bp.input(schemas.DefinitionQuery, location="query", arg_name="query")
@bp.output(schemas.DefinitionPage)
@bp.doc(responses=[401, 403, 422, 429])
def list_definitions(query: dict):
    """List the deployed process versions, newest first."""
    stmt = select(DefinitionVersion).where(DefinitionVersion.kind == "process")
    if query.get("key"):
        stmt = stmt.where(DefinitionVersion.process_id == query["key"])
    with services().db.reading() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(DefinitionVersion.process_id, DefinitionVersion.version.desc())
                               .limit(query["limit"]).offset(query["offset"]))
        return page([_out(r) for r in rows], total, query)


@bp.post("/process-definitions")
@bp.auth_required(auth)
@needs("deploy")
@bp.input(schemas.DeployIn, arg_name="body")
@bp.output(schemas.DeployOut, status_code=201)
@bp.doc(responses=[401, 403, 422, 429])
def deploy(body: dict):
    """Deploy a bundle of BPMN/DMN files; on any problem nothing is deployed."""
    deployed = services().engine.deploy(body["files"], actor=caller().actor)
    return {"deployed": [{"kind": d.kind, "key": d.process_id, "version": d.version, "created": d.created}
                         for d in deployed]}, 201


@bp.get("/process-definitions/<int(max=2147483647):definition_id>/files/<string:name>")
@bp.auth_required(auth)
@needs("read")
@bp.output({}, content_type="application/xml", description="The BPMN or DMN file")
@bp.doc(responses=[401, 403, 404, 429])
def download(definition_id: int, name: str):
    """Download one file of a deployed version."""
    with services().db.reading() as session:
        row = session.get(DefinitionVersion, definition_id)
    if row is None or name not in row.files:
        abort(404, "Diese Datei gibt es in der Version nicht")
    return Response(row.files[name], mimetype="application/xml")


@bp.get("/process-definitions/key/<string(maxlength=200):key>/start-form")
@bp.auth_required(auth)
@needs("start")
@bp.output(schemas.StartFormOut)
@bp.doc(responses=[401, 403, 404, 429])
def start_form(key: str):
    """Return the start form of the latest version as JSON Schema, for a caller who may start the process."""
    with services().db.reading() as session:
        process = startable.start_form(session, caller().actor, key)
    return {"key": process.process_id, "version": process.version, "name": process.name,
            "form": json_schema(process.form)}
