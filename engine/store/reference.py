"""Small reference data (organisation, definition index, hook subscriptions) cached per process.

Every page needs the routing table, unit names or who works where; reading them per request cost most of a page's
SQL statements. Database triggers (migration 0016) give `reference_revision` a new random value on every write to
those tables, from any process or tool, so a process keeps what it loaded until the value changes. A random value
rather than a counter: a rolled-back change or a restored backup can never make old data look current again.

The revision is read once per transaction, or once per web request inside `request_scope()` (where the sign-in
statement carries it, see `note_revision`; a scope trusts it for a second at most). A write to a reference table in
this process makes the next read look again, so a transaction that changes the routing table sees its own change,
and a rolled-back one is forgotten.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Connection, Engine, ScalarSelect, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.store.db import Base, database_key

T = TypeVar("T")

# Tables whose writes change the revision (the triggers of migration 0016 name the same ones).
TABLES = ("org_unit", "org_responsibility", "org_user", "org_membership", "org_deputy", "definition_version",
          "hook_subscription")
_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(" + "|".join(TABLES) + r")\b", re.IGNORECASE)


class ReferenceRevision(Base):
    """One row: a random value the triggers replace whenever reference data changes."""

    __tablename__ = "reference_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[int, Any]] = {}  # (database, key) -> (revision, value)
_local_writes = [0]  # bumped on a write to a reference table in this process: memos taken before are void
_scope: ContextVar[dict[str, tuple[int, int, float]] | None] = ContextVar("kimflow_reference_scope", default=None)
# A scope (a request, a worker's round, the demo) trusts its revision this long: a long round sees changes anyway.
SCOPE_SECONDS = 1.0
_WROTE = "kimflow_reference_written"
_MEMO = "kimflow_reference_revision"


_REVISION = select(ReferenceRevision.revision).where(ReferenceRevision.id == 1)


def revision_column() -> ScalarSelect[int]:
    """A scalar subquery to add to a statement the request sends anyway (see `note_revision`)."""
    return _REVISION.scalar_subquery()


def note_revision(session: Session, revision: int | None) -> None:
    """Remember a revision read by another statement (the sign-in check) for this request and transaction."""
    if revision is None:
        return
    generation = _local_writes[0]
    scope = _scope.get()
    if scope is not None:
        scope[database_key(session)] = (generation, revision, time.monotonic())
    session.info[_MEMO] = (session.get_transaction(), generation, revision)


def current_revision(session: Session) -> int | None:
    """The revision this transaction (or request) works with; None when the table is empty (never cached)."""
    generation = _local_writes[0]
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction() and memo[1] == generation:
        return memo[2]
    scope = _scope.get()
    database = database_key(session) if scope is not None else ""
    noted = scope.get(database) if scope is not None else None
    if noted is not None and noted[0] == generation and time.monotonic() - noted[2] < SCOPE_SECONDS:
        revision: int | None = noted[1]
    else:
        revision = session.scalar(_REVISION)
        if scope is not None and revision is not None:
            scope[database] = (generation, revision, time.monotonic())
    if revision is not None:
        session.info[_MEMO] = (session.get_transaction(), generation, revision)
    return revision


def cached(session: Session, key: str, load: Callable[[Session], T]) -> T:
    """Return `load(session)`'s result, kept per process and database until the reference data changes."""
    generation = _local_writes[0]
    revision = current_revision(session)
    if revision is None:
        return load(session)
    slot = (database_key(session), key)
    with _lock:
        hit = _cache.get(slot)
    if hit is not None and hit[0] == revision:
        return hit[1]  # type: ignore[no-any-return]
    value = load(session)
    # Kept under the revision read before loading: the value is never older than its key (a change committed
    # during the load gives a new revision, so the next reader loads again). Not kept when this process wrote
    # reference data meanwhile: the value may hold changes of a transaction that can still roll back.
    if generation == _local_writes[0]:
        with _lock:
            _cache[slot] = (revision, value)
    return value


def open_scope() -> Token[dict[str, tuple[int, int, float]] | None]:
    """Start a web request: the revision is read at most once until `close_scope` (later changes show from the
    next request)."""
    return _scope.set({})


def close_scope(token: Token[dict[str, tuple[int, int, float]] | None]) -> None:
    try:
        _scope.reset(token)
    except ValueError:  # closed from another context (a streamed response): just end the scope there
        _scope.set(None)


@contextmanager
def request_scope() -> Iterator[None]:
    """`open_scope` and `close_scope` around a block."""
    token = open_scope()
    try:
        yield
    finally:
        close_scope(token)


def _after_execute(conn: Connection, _cursor, statement: str, *_args: Any) -> None:
    if _WRITE.match(statement):
        _local_writes[0] += 1
        conn.info[_WROTE] = True


def _after_commit(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def _after_rollback(conn: Connection) -> None:
    # A revision this transaction renewed and noted in the scope never became true: read it again.
    if conn.info.pop(_WROTE, None):
        scope = _scope.get()
        if scope is not None:
            scope.clear()


def watch(engine: Engine) -> None:
    """Notice this process's own writes to reference tables (called once per engine)."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    event.listen(engine, "commit", _after_commit)
    event.listen(engine, "rollback", _after_rollback)

