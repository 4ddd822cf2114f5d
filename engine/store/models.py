"""Engine tables: definitions, instances, the human-task projection, jobs, subscriptions, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.db import Base, UTCDateTime


class DefinitionVersion(Base):
    """One immutable deployed version of a process, with the sources it was parsed from."""

    __tablename__ = "definition_version"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        Index("ix_definition_version_process_checksum", "process_id", "checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="process")  # "process" or "decision"
    process_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    message_starts: Mapped[list[str]] = mapped_column(JSON, default=list)
    deployed_by: Mapped[str] = mapped_column(String(100))
    deployed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProcessInstance(Base):
    """A running or finished instance; `state` is SpiffWorkflow's JSON without the spec."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_process", "status", "process_id"),
        Index("ix_process_instance_process_started", "process_id", "started_at"),
        Index("ix_process_instance_area_status", "area", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    definition_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    area: Mapped[str | None] = mapped_column(String(100))
    parent_instance_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)

    # The revision is an optimistic lock: SQLAlchemy adds "AND revision = ?" to every UPDATE.
    __mapper_args__ = {"version_id_col": revision}


class HumanTask(Base):
    """The inbox projection of a user or manual task; inboxes read only this table."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_office_status_created", "office", "status", "created_at", "id"),
        Index("ix_human_task_unit_status_created", "unit", "status", "created_at", "id"),
        Index("ix_human_task_status_due", "status", "due_at"),
        Index("ix_human_task_claimed_status", "claimed_by", "status"),
        Index("ix_human_task_completed_by_at", "completed_by", "completed_at"),
        Index("ix_human_task_instance_status", "instance_id", "status"),
        Index("ix_human_task_case_status", "case_ref", "status"),
        Index("ix_human_task_unit_status_case", "unit", "status", "case_ref",  # partial: case lists (0017)
              sqlite_where=text("case_ref IS NOT NULL"), postgresql_where=text("case_ref IS NOT NULL")),
        Index("ix_human_task_status_due_case", "status", "due_at", "case_ref",  # partial: overdue case lists
              sqlite_where=text("case_ref IS NOT NULL"), postgresql_where=text("case_ref IS NOT NULL")),
        Index("ix_human_task_assignee_status", "assignee", "status"),
        # The group inbox reads one unit (or one office's unit-less tasks) in due order (migration 0010).
        Index("ix_human_task_unit_status_due", "unit", "status", "due_at", "created_at", "id"),
        Index("ix_human_task_office_unit_status_due", "office", "unit", "status", "due_at", "created_at", "id"),
        Index("ix_human_task_assignee_open_due", "assignee", "status", "due_at", "created_at", "id",
              sqlite_where=text("assignee IS NOT NULL"), postgresql_where=text("assignee IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    office: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(100))
    area: Mapped[str | None] = mapped_column(String(100))
    case_ref: Mapped[str | None] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    candidate_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(String(100))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    follow_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(Integer, default=50)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    candidate_rows: Mapped[list[TaskCandidate]] = relationship(cascade="all, delete-orphan")

    def offer_to(self, usernames: list[str]) -> None:
        """Set the candidate users, kept as a list for display and as rows for indexed queries."""
        unique = list(dict.fromkeys(usernames))
        self.candidate_users = unique
        self.candidate_rows = [TaskCandidate(task_id=self.id, username=name) for name in unique]


class TaskCandidate(Base):
    """A person a human task is offered to by name (camunda:candidateUsers), for indexed inbox queries."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_username", "username", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), primary_key=True)


class Job(Base):
    """Durable asynchronous work with a due time (timers, timer starts); each fires exactly once."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_status_due", "status", "due_at"),
        Index("ix_job_instance_status", "instance_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    process_id: Mapped[str | None] = mapped_column(String(200))  # timer start events have no instance yet
    kind: Mapped[str] = mapped_column(String(20))  # "timer" or "start"
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A failed attempt waits until retry_at (exponential backoff); the last one opens incident_id.
    retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    incident_id: Mapped[int | None] = mapped_column(Integer)


class MessageSubscription(Base):
    """An instance waiting for a message (intermediate catch, receive task, boundary)."""

    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_name", "message_name", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    message_name: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(36))


class Incident(Base):
    """An instance that stopped with an error, or stalled; resolved by a retry."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class AuditEvent(Base):
    """One append-only line of the audit log: who did what, when, to which case, on which basis."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_case_at", "case_ref", "at"),
        Index("ix_audit_event_instance_at", "instance_id", "at"),
        Index("ix_audit_event_actor_at", "actor", "at"),
        Index("ix_audit_event_action_at", "action", "at"),  # recent refusals for the alert
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    case_ref: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
