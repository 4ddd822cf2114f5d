"""A service token records when it was last used, to the minute: a busy system does not write on every call."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine import service_accounts
from engine.store.integration_models import ApiToken

MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _last_use_after(services, token: str, *moments: dt.datetime) -> dt.datetime | None:
    for moment in moments:
        with services.db.unit_of_work() as session:
            service_accounts.authenticate(session, token, moment)
    with services.db.reading() as session:
        return session.scalars(select(ApiToken.last_used_at)).one()


def _token(services) -> str:
    with services.db.unit_of_work() as session:
        account = service_accounts.create_account(session, "fachverfahren", units=["sozialamt_neuss"],
                                                  verbs=["start"], actor="test")
        return service_accounts.issue_token(session, account.id, actor="test")


def test_calls_within_a_minute_keep_the_first_use(services):
    token = _token(services)
    assert _last_use_after(services, token, MORNING, MORNING + dt.timedelta(seconds=59)) == MORNING


def test_a_call_a_minute_later_records_the_new_use(services):
    token = _token(services)
    later = MORNING + dt.timedelta(minutes=1)
    assert _last_use_after(services, token, MORNING, later) == later
