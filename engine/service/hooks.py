"""Event hooks: engine events written to an outbox in the changing transaction, delivered signed by the worker.

The receiver verifies `X-Kimflow-Signature: sha256=<hex>` = HMAC-SHA256(secret, f"{timestamp}.{body}") with the
timestamp from `X-Kimflow-Timestamp`, and de-duplicates on `X-Kimflow-Idempotency-Key` (delivery is at least once).
Payloads carry ids and references only, never variables or names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.service.registry import Extensions, InstanceContext, PeriodicTask
from engine.store import reference
from engine.store.db import Database
from engine.store.integration_models import HookDelivery, HookOutbox, HookSubscription

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

log = logging.getLogger(__name__)
# engine event -> hook event name
EVENTS = {"task_created": "task.created", "task_completed": "task.completed", "instance_started": "instance.started",
          "instance_completed": "instance.completed", "instance_error": "incident.raised",
          "message_correlated": "message.correlated"}
HOOK_EVENTS = tuple(EVENTS.values())
MAX_ATTEMPTS = 10
LEASE = dt.timedelta(seconds=60)  # a claimed row is due again after this, should its worker die mid-delivery
TIMEOUT = 10.0
Post = Callable[[str, bytes, dict[str, str]], int]


class HookError(KimflowError):
    """A subscription that cannot be created as asked."""


def subscribe(db: Database, name: str, url: str, events: list[str], *, actor: str) -> tuple[int, str]:
    """Subscribe `url` to `events`; return the subscription id and its signing secret (shown only now)."""
    unknown = sorted(set(events) - set(HOOK_EVENTS))
    if unknown or not events:
        raise HookError(f"Unbekannte Ereignisse {unknown or events}; bekannt: {', '.join(HOOK_EVENTS)}")
    if not url.startswith(("https://", "http://")):
        raise HookError(f"Die Empfängeradresse muss mit https:// beginnen: {url!r}")
    secret = secrets.token_urlsafe(32)
    with db.unit_of_work() as session:
        row = HookSubscription(name=name, url=url, secret=secret, events=sorted(set(events)), active=True,
                               created_by=actor, created_at=clock.now())
        session.add(row)
        session.flush()
        return row.id, secret


def deactivate(db: Database, subscription_id: int) -> None:
    """Stop delivering to a subscription (its log stays)."""
    with db.unit_of_work() as session:
        row = session.get(HookSubscription, subscription_id)
        if row is None:
            raise NotFound(f"Abonnement {subscription_id} gibt es nicht")
        row.active = False


def subscriptions(db: Database) -> list[HookSubscription]:
    """List all subscriptions, newest first."""
    with db.reading() as session:
        return list(session.scalars(select(HookSubscription).order_by(HookSubscription.id.desc())))


def deliveries(db: Database, subscription_id: int, limit: int = 100) -> list[tuple[HookOutbox, HookDelivery]]:
    """Return the delivery log of a subscription, newest attempt first."""
    with db.reading() as session:
        rows = session.execute(select(HookOutbox, HookDelivery)
                               .join(HookDelivery, HookDelivery.outbox_id == HookOutbox.id)
                               .where(HookOutbox.subscription_id == subscription_id)
                               .order_by(HookDelivery.id.desc()).limit(limit))
        return [(outbox, delivery) for outbox, delivery in rows]


def install(extensions: Extensions, *, every: float = 5.0) -> None:
    """Write outbox rows on engine events and deliver them from the worker every `every` seconds."""
    for event in EVENTS:
        extensions.on(event, _record)
    extensions.periodic.append(PeriodicTask("hooks", every, run))


def _record(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Write one outbox row per interested subscription, in the engine's transaction."""
    name = EVENTS[event]
    session = context.session
    wanted = [sub_id for sub_id, events in _active(session) if name in events]
    if not wanted:
        return
    now = clock.now()
    body = {"event": name, "occurred_at": now.isoformat(), "instance_id": context.instance_id,
            "process_id": context.process_id, "business_key": context.business_key, "case_ref": context.case_ref}
    task = payload.get("task")
    if task is not None:
        body |= {"task_id": task.id, "element_id": task.element_id}
    elif payload.get("element_id"):
        body["element_id"] = payload["element_id"]
    if event == "message_correlated":
        body["message"] = payload["message_name"]  # the message name (a diagram's id), never its payload
    for subscription_id in wanted:
        key = uuid.uuid4().hex
        session.add(HookOutbox(subscription_id=subscription_id, event=name, idempotency_key=key,
                               payload=body | {"id": key}, status="pending", attempts=0, next_attempt_at=now,
                               created_at=now))


def _active(session: Session) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Return (id, events) of the active subscriptions (cached per process until reference data changes)."""
    return reference.cached(session, "hook_subscriptions", _load_active)


def _load_active(session: Session) -> tuple[tuple[int, tuple[str, ...]], ...]:
    rows = session.execute(select(HookSubscription.id, HookSubscription.events)
                           .where(HookSubscription.active.is_(True)).order_by(HookSubscription.id)).all()
    return tuple((sub_id, tuple(events or ())) for sub_id, events in rows)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver_due(db: Database, *, now: dt.datetime | None = None, limit: int = 100, post: Post | None = None) -> int:
    """Deliver the due outbox rows; return how many the receivers accepted."""
    now = now or clock.now()
    post = post or _post
    delivered = 0
    for outbox_id in _claim(db, now, limit):
        delivered += _deliver(db, outbox_id, post)
    return delivered


def _claim(db: Database, now: dt.datetime, limit: int) -> list[int]:
    """Lease due rows to this worker by moving their due time past the lease (one short transaction)."""
    with db.unit_of_work() as session:
        query = (select(HookOutbox).where(HookOutbox.status == "pending", HookOutbox.next_attempt_at <= now)
                 .order_by(HookOutbox.next_attempt_at, HookOutbox.id).limit(limit))
        if db.is_postgres:
            rows = list(session.scalars(query.with_for_update(skip_locked=True)))
        else:
            rows = [row for row in session.scalars(query).all() if _won(session, row, now)]
        for row in rows:
            row.next_attempt_at = now + LEASE
        return [row.id for row in rows]


def _won(session: Session, row: HookOutbox, now: dt.datetime) -> bool:
    result: Any = session.execute(update(HookOutbox).where(HookOutbox.id == row.id,
                                                           HookOutbox.next_attempt_at == row.next_attempt_at)
                                  .values(next_attempt_at=now + LEASE).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _deliver(db: Database, outbox_id: int, post: Post) -> int:
    with db.reading() as session:
        outbox = session.get(HookOutbox, outbox_id)
        subscription = session.get(HookSubscription, outbox.subscription_id) if outbox else None
        if outbox is None or subscription is None:
            return 0
        url, secret, payload, key, event = (subscription.url, subscription.secret, outbox.payload,
                                            outbox.idempotency_key, outbox.event)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(clock.now().timestamp()))
    headers = {"Content-Type": "application/json", "X-Kimflow-Event": event, "X-Kimflow-Idempotency-Key": key,
               "X-Kimflow-Timestamp": timestamp, "X-Kimflow-Signature": sign(secret, timestamp, body)}
    status, error = None, None
    try:
        status = post(url, body, headers)
    except Exception as err:  # noqa: BLE001 - an unreachable receiver is retried, not fatal to the worker
        error = f"{type(err).__name__}: {err}"[:2000]
    return _record_attempt(db, outbox_id, status, error)


def _record_attempt(db: Database, outbox_id: int, status: int | None, error: str | None) -> int:
    now = clock.now()
    ok = status is not None and 200 <= status < 300
    with db.unit_of_work() as session:
        outbox = session.get(HookOutbox, outbox_id)
        assert outbox is not None
        outbox.attempts += 1
        session.add(HookDelivery(outbox_id=outbox_id, attempt=outbox.attempts, status_code=status, error=error,
                                 at=now))
        if ok:
            outbox.status, outbox.delivered_at = "delivered", now
        elif outbox.attempts >= MAX_ATTEMPTS:
            outbox.status = "dead"
            log.warning("hook outbox %s given up after %s attempts", outbox_id, outbox.attempts)
        else:
            outbox.next_attempt_at = now + backoff(outbox.attempts)
    return 1 if ok else 0


def backoff(attempts: int) -> dt.timedelta:
    """Wait 10 s after the first failure, doubling up to one hour."""
    return dt.timedelta(seconds=min(10 * 2 ** (attempts - 1), 3600))


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - admin-set URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - scheme checked on subscribe
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def run(engine: ProcessEngine, now: dt.datetime | None = None) -> dict[str, Any]:
    """Deliver due hooks for the engine's database (the periodic task's body)."""
    return {"hooks_delivered": deliver_due(engine.db, now=now)}
