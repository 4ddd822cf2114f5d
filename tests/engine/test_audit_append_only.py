"""The audit log is append-only: the database itself refuses to change or remove its lines."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from engine.store import audit
from engine.store.models import AuditEvent


def _one_event(db) -> int:
    with db.unit_of_work() as session:
        audit.record(session, "cm", "case_viewed", case_ref="K-2026-00001", categories=["stammdaten"])
    with db.reading() as session:  # the line is written when its transaction commits
        return session.scalar(select(AuditEvent.id).where(AuditEvent.case_ref == "K-2026-00001"))


def test_new_audit_lines_can_be_written_and_read(db):
    event_id = _one_event(db)
    with db.reading() as session:
        assert session.get(AuditEvent, event_id).action == "case_viewed"


def test_the_database_refuses_to_update_an_audit_line(db):
    event_id = _one_event(db)
    with pytest.raises(DBAPIError, match="unveränderlich"), db.unit_of_work() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(actor="someone_else"))
    with db.reading() as session:
        assert session.get(AuditEvent, event_id).actor == "cm"


def test_the_database_refuses_to_delete_an_audit_line(db):
    event_id = _one_event(db)
    with pytest.raises(DBAPIError, match="unveränderlich"), db.unit_of_work() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_changing_a_loaded_audit_event_through_the_orm_fails_on_commit(db):
    event_id = _one_event(db)
    with pytest.raises(DBAPIError), db.unit_of_work() as session:
        session.get(AuditEvent, event_id).details = {"categories": []}
    with db.reading() as session:
        assert session.get(AuditEvent, event_id).details == {"categories": ["stammdaten"]}


def test_raw_sql_cannot_empty_the_audit_log_either(db):
    _one_event(db)
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
