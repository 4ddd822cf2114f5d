"""Server-side drafts with optimistic locking: two designers never silently overwrite each other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError
from engine.store import audit
from engine.store.designer_models import DesignerDraft


class DraftConflict(KimflowError):
    """Someone saved the draft after this designer loaded it; the save was refused, nothing changed."""

    def __init__(self, current: DraftView):
        self.current = current
        when = current.updated_at.strftime("%d.%m.%Y %H:%M") if current.updated_at else "unbekannt"
        super().__init__(
            f"Der Entwurf wurde inzwischen von {current.updated_by} am {when} gespeichert (Stand "
            f"{current.revision}). Ihre Änderungen wurden nicht überschrieben und sind noch im Editor: "
            "laden Sie Ihre Fassung herunter oder übernehmen Sie sie bewusst.")


@dataclass(frozen=True)
class DraftView:
    """A draft as the designer page shows it."""

    kind: str
    process_id: str
    file_name: str
    xml: str
    scenarios: str | None
    base_version: int | None
    revision: int
    updated_by: str
    updated_at: dt.datetime | None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "process_id": self.process_id, "file_name": self.file_name,
                "base_version": self.base_version, "revision": self.revision, "updated_by": self.updated_by,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def _view(row: DesignerDraft) -> DraftView:
    return DraftView(row.kind, row.process_id, row.file_name, row.xml, row.scenarios, row.base_version,
                     row.revision, row.updated_by, row.updated_at)


def get(session: Session, process_id: str, kind: str = "process") -> DraftView | None:
    """Return the draft of a process or decision, if one is being edited."""
    row = session.scalars(select(DesignerDraft).where(DesignerDraft.process_id == process_id,
                                                      DesignerDraft.kind == kind)).first()
    return _view(row) if row is not None else None


def all_drafts(session: Session) -> list[DraftView]:
    """Return every draft, ordered by id."""
    return [_view(row) for row in session.scalars(select(DesignerDraft).order_by(DesignerDraft.process_id))]


@dataclass(frozen=True)
class DraftInput:
    """What a designer sends when saving: the diagram and the revision they started from."""

    process_id: str
    file_name: str
    xml: str
    expected_revision: int | None  # None: a new draft
    kind: str = "process"
    scenarios: str | None = None
    base_version: int | None = None


def save(session: Session, draft: DraftInput, *, actor: str) -> DraftView:
    """Create or update a draft; raise DraftConflict when the expected revision is outdated."""
    current = get(session, draft.process_id, draft.kind)
    now = clock.now()
    if current is None:
        if draft.expected_revision not in (None, 0):
            raise KimflowError("Der Entwurf wurde inzwischen bereitgestellt oder verworfen; bitte neu laden. "
                               "Ihre Änderungen sind noch im Editor.")
        row = DesignerDraft(kind=draft.kind, process_id=draft.process_id, file_name=draft.file_name,
                            xml=draft.xml, scenarios=draft.scenarios, base_version=draft.base_version,
                            revision=1, updated_by=actor, updated_at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor, "draft_saved", process_id=draft.process_id, revision=1)
        return _view(row)
    if draft.expected_revision != current.revision:
        raise DraftConflict(current)
    values = {"xml": draft.xml, "file_name": draft.file_name, "revision": current.revision + 1,
              "updated_by": actor, "updated_at": now}
    if draft.scenarios is not None:
        values["scenarios"] = draft.scenarios
    # The WHERE on the revision makes the check and the write one atomic step under concurrency.
    result = cast(CursorResult[Any], session.execute(update(DesignerDraft).where(
        DesignerDraft.process_id == draft.process_id, DesignerDraft.kind == draft.kind,
        DesignerDraft.revision == current.revision).values(**values)))
    if result.rowcount != 1:
        raise DraftConflict(get(session, draft.process_id, draft.kind) or current)
    audit.record(session, actor, "draft_saved", process_id=draft.process_id, revision=current.revision + 1)
    session.expire_all()
    saved = get(session, draft.process_id, draft.kind)
    assert saved is not None, "the update above matched exactly one draft row in this transaction"
    return saved


def discard(session: Session, process_id: str, *, actor: str, kind: str = "process") -> bool:
    """Delete a draft (after deploying it or on request); return whether one existed."""
    result = cast(CursorResult[Any], session.execute(delete(DesignerDraft).where(
        DesignerDraft.process_id == process_id, DesignerDraft.kind == kind)))
    if result.rowcount:
        audit.record(session, actor, "draft_discarded", process_id=process_id)
    return bool(result.rowcount)
