"""E-mail notifications over SMTP: off by default; digest, due tomorrow and escalation, each sent once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket

import pytest
from sqlalchemy import update

from engine.identity.models import User
from engine.store.models import HumanTask
from web.notifications import MailSettings, send_due

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, MailSettings(enabled=True, host="127.0.0.1", port=controller.port, sender="kimflow@kreis.test",
                              base_url="https://kimflow.kreis.test")
    controller.stop()


@pytest.fixture
def mailboxes(scene, services):
    with services.db.unit_of_work() as session:
        session.execute(update(User).values(email=User.username + "@kreis.test"))
    return scene


def _to(inbox: Inbox, address: str) -> list[email.message.Message]:
    return [m for m in inbox.messages if m["To"] == address]


def test_notifications_are_off_by_default(services, mailboxes):
    assert send_due(services.db, MailSettings(), now=dt.datetime.now(dt.UTC)) == {"enabled": False, "sent": 0}


def test_the_unit_gets_a_digest_of_new_tasks_once(services, mailboxes, smtp):
    inbox, settings = smtp
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    result = send_due(services.db, settings, now=now)
    assert result["digest"] >= 2
    [mail] = _to(inbox, "s.kollege@kreis.test")
    assert "neue Aufgabe" in mail["Subject"]
    body = mail.get_content()
    assert "AsylbLG zum Monatsende einstellen" in body and "https://kimflow.kreis.test/aufgabe/" in body
    assert "Haddad" not in body  # personal data stays in the workspace
    send_due(services.db, settings, now=now + dt.timedelta(minutes=5))
    assert len(_to(inbox, "s.kollege@kreis.test")) == 1


def test_the_holder_is_reminded_of_a_task_due_tomorrow(services, mailboxes, smtp):
    inbox, settings = smtp
    now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with services.db.unit_of_work() as session:
        session.execute(update(HumanTask).where(HumanTask.id == mailboxes.sozialamt_task).values(
            status="claimed", claimed_by="s.sozial", due_at=dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)))
    send_due(services.db, settings, now=now)
    subjects = [m["Subject"] for m in _to(inbox, "s.sozial@kreis.test")]
    assert "kimflow: 1 Aufgabe(n) morgen fällig" in subjects


def test_an_overdue_task_is_escalated_to_its_unit_once(services, mailboxes, smtp):
    inbox, settings = smtp
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    send_due(services.db, settings, now=now)
    escalations = [m for m in _to(inbox, "s.kollege@kreis.test") if "überfällig" in m["Subject"]]
    assert len(escalations) == 1
    send_due(services.db, settings, now=now + dt.timedelta(hours=1))
    assert len([m for m in _to(inbox, "s.kollege@kreis.test") if "überfällig" in m["Subject"]]) == 1
