"""Case tables: the long-lived person-centred case, consents, deadlines, notes and documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base, UTCDateTime

# Data categories a consent or legal basis can release; "gesundheit" also needs the explicit health tick.
CATEGORIES = ("stammdaten", "aufenthalt", "leistungen", "gesundheit", "arbeit", "sprache")


class Case(Base):
    """One person (or household) followed across offices and processes; outlives its instances."""

    __tablename__ = "kim_case"
    __table_args__ = (
        Index("ix_kim_case_area_status", "area", "status"),
        Index("ix_kim_case_opened_by", "opened_by"),  # "Meine Fälle": the cases a case manager opened
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100), unique=True)
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(100))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    area: Mapped[str | None] = mapped_column(String(100))
    household: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    residence_status: Mapped[str | None] = mapped_column(String(200))
    referral_source: Mapped[str | None] = mapped_column(String(200))
    # Further data by category ("leistungen", "arbeit", "gesundheit", ...): {category: {field: value}}.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closure_reason: Mapped[str | None] = mapped_column(String(100))
    retention_until: Mapped[dt.date | None] = mapped_column(Date)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CaseRefCounter(Base):
    """The last case number handed out per year (case_ref K-<year>-<number>)."""

    __tablename__ = "kim_case_ref_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Consent(Base):
    """Data released to one office: by the person's consent, or by a named legal basis."""

    __tablename__ = "kim_consent"
    __table_args__ = (
        Index("ix_kim_consent_case_office", "case_ref", "office"),
        Index("ix_kim_consent_office_case", "office", "case_ref"),  # case lists: the cases released to a unit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100))
    office: Mapped[str] = mapped_column(String(100))
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    mutual: Mapped[bool] = mapped_column(Boolean, default=False)
    health_data: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str | None] = mapped_column(String(200))  # set = statutory transfer, not consent
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    language_version: Mapped[str | None] = mapped_column(String(20))


class Deadline(Base):
    """One entry of a case's deadline register (document expiry, appeal period, review date)."""

    __tablename__ = "kim_deadline"
    __table_args__ = (
        Index("ix_kim_deadline_case_due", "case_ref", "due_on"),
        Index("ix_kim_deadline_remind_done", "remind_on", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[dt.date] = mapped_column(Date)
    remind_on: Mapped[dt.date | None] = mapped_column(Date)
    source_instance_id: Mapped[int | None] = mapped_column(Integer)
    source_element_id: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(100))
    # Why case management closed it by hand; None when done as planned or closed with the task that owned it.
    done_reason: Mapped[str | None] = mapped_column(String(300))


class TaskReminder(Base):
    """A reminder case management sent to the unit holding an overdue task (at most one per task and day)."""

    __tablename__ = "kim_task_reminder"
    __table_args__ = (
        Index("ix_kim_task_reminder_task_at", "task_id", "sent_at"),
        Index("ix_kim_task_reminder_case_at", "case_ref", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    case_ref: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    sent_by: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_on: Mapped[dt.date] = mapped_column(Date)  # the local day: one reminder per task and day


class CaseNote(Base):
    """A comment on a case file."""

    __tablename__ = "kim_case_note"
    __table_args__ = (Index("ix_kim_case_note_case_at", "case_ref", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100))
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CaseDocument(Base):
    """An uploaded file of a case, stored with its SHA-256 checksum."""

    __tablename__ = "kim_case_document"
    __table_args__ = (Index("ix_kim_case_document_case_at", "case_ref", "uploaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # lists never load the bytes
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DeletionRecord(Base):
    """Proof of erasure: which categories of one case were erased, when and on which legal basis.

    One row per case; its unique case_ref is also the claim that lets exactly one worker anonymise a case.
    """

    __tablename__ = "kim_deletion_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100), unique=True)
    erased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[str] = mapped_column(String(200))
    erased_by: Mapped[str] = mapped_column(String(100))
