"""E-mail notifications (off by default): new-task digest per unit, due tomorrow, escalation of overdue tasks.

`send_due()` is called by `kimflow notify` (e.g. from cron or the worker). Each sent batch is written to the
audit log as `notification_sent`; that record is also how repeated runs avoid sending the same news twice.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from engine import LOCAL_TIME, AuditEvent, Database, HumanTask, audit, clock, german_date, task_rule
from engine import inbox as inbox_queries

ACTION = "notification_sent"
LOOKBACK = dt.timedelta(days=14)


@dataclass(frozen=True)
class MailSettings:
    """SMTP settings; `enabled` is False unless configured."""

    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "kimflow@localhost"
    base_url: str = "http://localhost:5000"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read the MAIL_* keys of the app configuration."""
        return cls(bool(config.get("MAIL_ENABLED")), config.get("MAIL_HOST", "localhost"),
                   int(config.get("MAIL_PORT", 25)), config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD"),
                   bool(config.get("MAIL_STARTTLS")), config.get("MAIL_SENDER", "kimflow@localhost"),
                   config.get("BASE_URL", "http://localhost:5000").rstrip("/"))


@dataclass
class Mail:
    """One message to one person, and what it reports (for the audit log)."""

    to: str
    username: str
    kind: str
    subject: str
    body: str
    task_ids: list[str]


def _already_sent(session, kind: str, now: dt.datetime) -> tuple[set[tuple[str, str]], dt.datetime | None]:
    """Return the (username, task id) pairs already notified for `kind`, and the last run's time."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == ACTION, AuditEvent.at >= now - LOOKBACK))
    pairs, last = set(), None
    for event in events:
        if event.details.get("kind") != kind:
            continue
        pairs |= {(event.details.get("user"), t) for t in event.details.get("tasks", [])}
        last = max(last, event.at) if last else event.at
    return pairs, last


def _line(task: HumanTask, base_url: str) -> str:
    due = f", fällig am {german_date(task.due_at)}" if task.due_at else ""
    case = f" (Fall {task.case_ref})" if task.case_ref else ""
    return f"- {task.name}{case}{due}\n  {base_url}/aufgabe/{task.id}"


def _mail(to: tuple[str, str], kind: str, subject: str, intro: str, tasks: list[HumanTask], base: str) -> Mail:
    body = f"{intro}\n\n" + "\n".join(_line(t, base) for t in tasks) + (
        "\n\nDiese Nachricht wurde von kimflow automatisch versandt. Personendaten stehen nur im Arbeitsplatz.\n")
    return Mail(to[1], to[0], kind, subject, body, [t.id for t in tasks])


def compose(db: Database, settings: MailSettings, *, now: dt.datetime) -> list[Mail]:
    """Return the notifications due at `now` that were not sent before."""
    with db.reading() as session:
        by_unit, by_user = inbox_queries.mail_recipients(session)
        mails = _digest(session, by_unit, by_user, settings, now) + _due_tomorrow(session, by_user, settings, now)
        return mails + _escalations(session, by_unit, by_user, settings, now)


def _digest(session, by_unit, by_user, settings: MailSettings, now: dt.datetime) -> list[Mail]:
    sent, last = _already_sent(session, "digest", now)
    new = inbox_queries.tasks_created_between(session, last or now - dt.timedelta(days=1), now)
    per_user: dict[tuple[str, str], list[HumanTask]] = {}
    for task in new:
        for recipient in _addressees(task, by_unit, by_user):
            if (recipient[0], task.id) not in sent:
                per_user.setdefault(recipient, []).append(task)
    return [_mail(r, "digest", f"kimflow: {len(ts)} neue Aufgabe(n) in Ihrer Stelle",
                  "Guten Tag,\n\nin Ihrer Stelle sind neue Aufgaben eingegangen:", ts, settings.base_url)
            for r, ts in sorted(per_user.items())]


def _due_tomorrow(session, by_user, settings: MailSettings, now: dt.datetime) -> list[Mail]:
    sent, _last = _already_sent(session, "due_tomorrow", now)
    tomorrow = now.astimezone(LOCAL_TIME).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(), LOCAL_TIME)
    per_user: dict[str, list[HumanTask]] = {}
    for task in inbox_queries.claimed_tasks_due_between(session, start, start + dt.timedelta(days=1)):
        if task.claimed_by is not None and task.claimed_by in by_user and (task.claimed_by, task.id) not in sent:
            per_user.setdefault(task.claimed_by, []).append(task)
    return [_mail((u, by_user[u][0]), "due_tomorrow", f"kimflow: {len(ts)} Aufgabe(n) morgen fällig",
                  "Guten Tag,\n\nfolgende Aufgaben in Ihrer Bearbeitung sind morgen fällig:", ts, settings.base_url)
            for u, ts in sorted(per_user.items())]


def _escalations(session, by_unit, by_user, settings: MailSettings, now: dt.datetime) -> list[Mail]:
    sent, _last = _already_sent(session, "escalation", now)
    per_user: dict[tuple[str, str], list[HumanTask]] = {}
    for task in inbox_queries.overdue_tasks(session, now):
        if task.claimed_by is not None and task.claimed_by in by_user:
            recipients = [(task.claimed_by, by_user[task.claimed_by][0])]
        else:
            recipients = _addressees(task, by_unit, by_user)
        for recipient in recipients:
            if (recipient[0], task.id) not in sent:
                per_user.setdefault(recipient, []).append(task)
    return [_mail(r, "escalation", f"kimflow: {len(ts)} überfällige Aufgabe(n)",
                  "Guten Tag,\n\nfolgende Aufgaben sind überfällig und brauchen Ihre Aufmerksamkeit:", ts,
                  settings.base_url) for r, ts in sorted(per_user.items())]


def _addressees(task: HumanTask, by_unit, by_user) -> list[tuple[str, str]]:
    """Return (username, email) of everyone the task rule offers the task to: its unit and named people."""
    people = [(name, by_user[name][0]) for name in task_rule.addressed_people(task) if name in by_user]
    return by_unit.get(task.unit or "", []) + [p for p in people if p not in by_unit.get(task.unit or "", [])]


def send_due(db: Database, settings: MailSettings, *, now: dt.datetime) -> dict[str, Any]:
    """Send the due notifications over SMTP and audit each message; do nothing when mail is off."""
    if not settings.enabled:
        return {"enabled": False, "sent": 0}
    mails = compose(db, settings, now=now)
    if not mails:
        return {"enabled": True, "sent": 0}
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        for mail in mails:
            smtp.send_message(_message(settings.sender, mail))
            with db.unit_of_work() as session, clock.frozen(now):  # the run happens "at" now (--now replays)
                audit.record(session, "system", ACTION, kind=mail.kind, user=mail.username, tasks=mail.task_ids)
    kinds: dict[str, int] = {}
    for mail in mails:
        kinds[mail.kind] = kinds.get(mail.kind, 0) + 1
    return {"enabled": True, "sent": len(mails), **kinds}


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.to, mail.subject
    message.set_content(mail.body)
    return message
