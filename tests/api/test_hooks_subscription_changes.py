"""Hook subscriptions are cached per process, yet a new, switched-off or elsewhere-changed one counts from the next
event on."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from engine import hooks
from engine.store.integration_models import HookOutbox
from tests.api.conftest import SYSTEM
from tests.engine.test_external_tasks import external_process

URL = "https://receiver.example/kimflow"


@pytest.fixture
def ext(services):
    services.engine.deploy({"ext.bpmn": external_process()}, actor=SYSTEM)
    services.engine.start("ext", actor=SYSTEM)  # an event with no subscription yet: the empty list is cached


def _outbox(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(HookOutbox)) or 0


def _subscribe(services) -> int:
    subscription_id, _secret = hooks.subscribe(services.db, "Ausländerbehörde", URL, ["instance.started"],
                                               actor="admin")
    return subscription_id


def test_a_subscription_made_after_events_gets_the_next_one(services, ext):
    _subscribe(services)
    services.engine.start("ext", actor=SYSTEM)
    assert _outbox(services) == 1


def test_a_switched_off_subscription_gets_no_further_event(services, ext):
    hooks.deactivate(services.db, _subscribe(services))
    services.engine.start("ext", actor=SYSTEM)
    assert _outbox(services) == 0


def test_a_subscription_switched_off_by_another_process_gets_no_further_event(services, ext):
    subscription_id = _subscribe(services)
    services.engine.start("ext", actor=SYSTEM)
    other = create_engine(services.db.engine.url)  # not this process's database object: only the trigger tells
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE hook_subscription SET active = false WHERE id = :id"), {"id": subscription_id})
    finally:
        other.dispose()
    services.engine.start("ext", actor=SYSTEM)
    assert _outbox(services) == 1
