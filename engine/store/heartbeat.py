"""Worker heartbeats: each worker process stamps its row, so readiness checks can see a live worker."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.store.db import Base, UTCDateTime


class WorkerHeartbeat(Base):
    """The last time a worker (host and process) reported that it is alive."""

    __tablename__ = "worker_heartbeat"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def beat(session: Session, worker: str, now: dt.datetime) -> None:
    """Record that `worker` is alive at `now`."""
    row = session.get(WorkerHeartbeat, worker)
    if row is None:
        session.add(WorkerHeartbeat(worker=worker, beat_at=now))
    else:
        row.beat_at = now


def latest(session: Session) -> dt.datetime | None:
    """Return the most recent heartbeat of any worker, or None when no worker ever ran."""
    return session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
