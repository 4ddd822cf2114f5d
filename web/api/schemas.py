"""Request and response schemas of the REST API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from apiflask import Schema, fields, validators

ID_TEXT = validators.Length(min=1, max=200)


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validators.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validators.Range(min=0, max=1_000_000))


class PageOut(Schema):
    total = fields.Integer(required=True)
    total_capped = fields.Boolean(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class DefinitionQuery(PageQuery):
    key = fields.String(validate=ID_TEXT)


class DefinitionOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    deployed_by = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)
    files = fields.List(fields.String(), required=True)


class DefinitionPage(PageOut):
    items = fields.List(fields.Nested(DefinitionOut), required=True)


class DeployIn(Schema):
    files = fields.Dict(keys=fields.String(validate=validators.Regexp(r"^[\w.-]+\.(bpmn|dmn)$")),
                        values=fields.String(validate=validators.Length(max=2_000_000)), required=True,
                        validate=validators.Length(min=1, max=50),
                        metadata={"minProperties": 1, "maxProperties": 50})


class DeployedOut(Schema):
    kind = fields.String(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True)


class DeployOut(Schema):
    deployed = fields.List(fields.Nested(DeployedOut), required=True)


class StartFormOut(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    form = fields.Dict(required=True, metadata={"description": "The start form as JSON Schema (2020-12)"})


class StartIn(Schema):
    key = fields.String(required=True, validate=ID_TEXT)
    version = fields.Integer(validate=validators.Range(min=1, max=2_147_483_647))
    business_key = fields.String(validate=ID_TEXT)
    case_ref = fields.String(validate=validators.Length(min=1, max=100))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class InstanceQuery(PageQuery):
    key = fields.String(validate=ID_TEXT)
    version = fields.Integer(validate=validators.Range(min=1, max=2_147_483_647))
    status = fields.String(validate=validators.OneOf(["running", "suspended", "error", "completed", "cancelled"]))
    area = fields.String(validate=ID_TEXT)
    unit = fields.String(validate=ID_TEXT)
    search = fields.String(validate=ID_TEXT)
    overdue = fields.Boolean(load_default=False)


class InstanceOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    case_ref = fields.String(allow_none=True)
    revision = fields.Integer(required=True)
    error_element = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)
    variables = fields.Dict(keys=fields.String())


class InstancePage(PageOut):
    items = fields.List(fields.Nested(InstanceOut), required=True)


class ReasonIn(Schema):
    reason = fields.String(load_default="", validate=validators.Length(max=2000))


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validators.Length(min=1, max=2000))


class TaskQuery(PageQuery):
    view = fields.String(load_default="queue", validate=validators.OneOf(["queue", "mine", "done"]))
    key = fields.String(validate=ID_TEXT)
    search = fields.String(validate=ID_TEXT)


class TaskOut(Schema):
    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    key = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    office = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    case_ref = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    status = fields.String(required=True)
    claimed_by = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    priority = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class TaskPage(PageOut):
    items = fields.List(fields.Nested(TaskOut), required=True)


class TaskDetail(TaskOut):
    form = fields.Dict(required=True, metadata={"description": "The task's form as JSON Schema (2020-12)"})
    variables = fields.Dict(keys=fields.String(), required=True)


class DelegateIn(Schema):
    to = fields.String(required=True, validate=validators.Length(min=1, max=100))
    reason = fields.String(load_default="", validate=validators.Length(max=2000))


class CompleteIn(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class StatusOut(Schema):
    status = fields.String(required=True)


class MessageIn(Schema):
    name = fields.String(required=True, validate=ID_TEXT)
    business_key = fields.String(validate=ID_TEXT)
    case_ref = fields.String(validate=validators.Length(min=1, max=100))
    correlation = fields.Dict(keys=fields.String(), load_default=dict)
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class MessageOut(Schema):
    instance_ids = fields.List(fields.Integer(), required=True)


class IncidentQuery(PageQuery):
    open_only = fields.Boolean(load_default=True)


class IncidentOut(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    key = fields.String(required=True)
    element_id = fields.String(allow_none=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True)


class IncidentPage(PageOut):
    items = fields.List(fields.Nested(IncidentOut), required=True)


class RetryIn(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    reason = fields.String(load_default="", validate=validators.Length(max=2000))


class CaseOut(Schema):
    case_ref = fields.String(required=True)
    area = fields.String(allow_none=True)
    status = fields.String(required=True)
    opened_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True)
    basis = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    hidden = fields.List(fields.String(), required=True)
    fields_ = fields.Dict(data_key="fields", required=True)


class AuditOut(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    details = fields.Dict(required=True)


class AuditPage(PageOut):
    items = fields.List(fields.Nested(AuditOut), required=True)


class Precondition(Schema):
    if_match = fields.String(data_key="If-Match", validate=validators.Length(max=200),
                             metadata={"description": "The ETag last read; a stale one is refused with 412"})


class ETagHeader(Schema):
    etag = fields.String(data_key="ETag", metadata={"description": "Revision of the resource, for If-Match on writes"})
