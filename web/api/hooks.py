"""Event-hook subscriptions for administrators: subscribe, list, end, and read the delivery log."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema, fields, validators

from engine import hooks
from web.api.auth import auth, caller, needs
from web.security import services

bp = APIBlueprint("hooks", __name__, tag="Ereignis-Hooks")


class SubscribeIn(Schema):
    name = fields.String(required=True, validate=validators.Length(min=1, max=100))
    url = fields.String(required=True, validate=[validators.Length(min=8, max=500),
                                                 validators.Regexp(r"^https?://")])
    events = fields.List(fields.String(validate=validators.OneOf(hooks.HOOK_EVENTS)), required=True,
                         validate=validators.Length(min=1, max=len(hooks.HOOK_EVENTS)))


class SubscriptionOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class CreatedOut(SubscriptionOut):
    secret = fields.String(required=True, metadata={"description": "Signaturschlüssel; wird nur jetzt gezeigt"})


class SubscriptionList(Schema):
    items = fields.List(fields.Nested(SubscriptionOut), required=True)


class DeliveryOut(Schema):
    event = fields.String(required=True)
    idempotency_key = fields.String(required=True)
    attempt = fields.Integer(required=True)
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    outbox_status = fields.String(required=True)


class DeliveryList(Schema):
    items = fields.List(fields.Nested(DeliveryOut), required=True)


def _out(row) -> dict:
    return {"id": row.id, "name": row.name, "url": row.url, "events": row.events, "active": row.active}


@bp.post("/hooks")
@bp.auth_required(auth)
@needs("manage")
@bp.input(SubscribeIn, arg_name="body")
@bp.output(CreatedOut, status_code=201)
@bp.doc(responses=[401, 403, 409, 422, 429])
def subscribe(body: dict):
    """Subscribe a receiver to events; the answer carries the signing secret, shown only once."""
    subscription_id, secret = hooks.subscribe(services().db, body["name"], body["url"], body["events"],
                                              actor=caller().actor.name)
    return {"id": subscription_id, "name": body["name"], "url": body["url"], "events": sorted(set(body["events"])),
            "active": True, "secret": secret}


@bp.get("/hooks")
@bp.auth_required(auth)
@needs("manage")
@bp.output(SubscriptionList)
@bp.doc(responses=[401, 403, 429])
def list_subscriptions():
    """List the subscriptions (without their secrets)."""
    return {"items": [_out(row) for row in hooks.subscriptions(services().db)]}


@bp.delete("/hooks/<int(max=2147483647):subscription_id>")
@bp.auth_required(auth)
@needs("manage")
@bp.output({}, status_code=204)
@bp.doc(responses=[401, 403, 404, 429])
def end(subscription_id: int):
    """End a subscription: nothing more is delivered to it; its log stays."""
    hooks.deactivate(services().db, subscription_id)
    return ""


@bp.get("/hooks/<int(max=2147483647):subscription_id>/deliveries")
@bp.auth_required(auth)
@needs("manage")
@bp.output(DeliveryList)
@bp.doc(responses=[401, 403, 429])
def delivery_log(subscription_id: int):
    """Show the delivery log of a subscription, newest attempt first, with the receiver's status."""
    rows = hooks.deliveries(services().db, subscription_id)
    return {"items": [{"event": outbox.event, "idempotency_key": outbox.idempotency_key, "attempt": d.attempt,
                       "status_code": d.status_code, "error": d.error, "at": d.at, "outbox_status": outbox.status}
                      for outbox, d in rows]}
