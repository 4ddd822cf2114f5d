"""Tables of the management read side: steering facts projected from case work, case-manager posts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base, UTCDateTime


class SteeringFact(Base):
    """One countable event of case work (a referral, a consent, an answer...) for the steering report.

    Written by the listeners in `workflows.steering.facts` inside the engine's transaction; the steering
    report only aggregates these rows. No names, no free text: a pseudonymous case number at most.
    """

    __tablename__ = "steering_fact"
    __table_args__ = (
        # Covering: the report's period queries read only this index, never the table.
        Index("ix_steering_fact_kind_at_cover", "kind", "at", "area", "category", "status", "days", "case_key"),
        Index("ix_steering_fact_kind_area_at", "kind", "area", "at"),
        Index("ix_steering_fact_instance_kind", "instance_id", "kind"),
        Index("ix_steering_fact_case_kind", "case_key", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_key: Mapped[str] = mapped_column(String(100))  # case number, else "instance:<id>"
    instance_id: Mapped[int] = mapped_column(Integer)
    area: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    days: Mapped[float | None] = mapped_column(Float)


class CaseManagerPost(Base):
    """Case-manager full-time equivalents (VZÄ) per municipality, for caseload per post."""

    __tablename__ = "case_manager_post"

    area: Mapped[str] = mapped_column(String(100), primary_key=True)
    fte: Mapped[float] = mapped_column(Float)
