"""Designer tables: server-side drafts of processes and decisions being edited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base, UTCDateTime


class DesignerDraft(Base):
    """The diagram a designer is editing, not yet deployed; `revision` guards against lost updates."""

    __tablename__ = "designer_draft"
    __table_args__ = (UniqueConstraint("kind", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "process" or "decision"
    process_id: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text)
    scenarios: Mapped[str | None] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
