"""Database plumbing: declarative base, engine creation and the unit of work."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every database (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def default_database_url() -> str:
    """Return KIMFLOW_DATABASE_URL, else a SQLite file under ./instance/."""
    url = os.environ.get("KIMFLOW_DATABASE_URL")
    if url:
        return url
    Path("instance").mkdir(exist_ok=True)
    return f"sqlite:///{Path('instance/kimflow.db').resolve()}"


def make_engine(url: str | None = None) -> Engine:
    """Create an SQLAlchemy engine with the pragmas kimflow relies on."""
    url = url or default_database_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web server read while the worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def database_key(session: Session) -> str:
    """Name the database a session works on, for per-process caches that must not mix databases."""
    return str(session.get_bind().engine.url)


_active_unit: ContextVar[_Unit | None] = ContextVar("kimflow_unit_of_work", default=None)


class _Unit:
    """One transaction: its session and the records that must survive its rollback."""

    def __init__(self, database: Database, session: Session):
        self.database, self.session = database, session
        self.kept: list[Callable[[Session], None]] = []


def keep_after_rollback(session: Session, write: Callable[[Session], None]) -> None:
    """Write `write` now and, if the unit of work fails, once more in a transaction of its own.

    For records of a refusal (e.g. an audited access denial) whose verb then fails by design.
    """
    write(session)
    unit = _active_unit.get()
    if unit is not None and unit.session is session:
        unit.kept.append(write)


class Database:
    """An engine plus its session factory; one per process."""

    def __init__(self, url: str | None = None):
        self.engine = make_engine(url)
        from engine.store import reference  # imports this module's Base

        reference.watch(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on any error.

        Only the outermost unit commits: a verb called inside another verb's unit of work joins it, so
        a composite verb (move a case and reroute its tasks) is one transaction. Callees never commit.
        """
        outer = _active_unit.get()
        if outer is not None and outer.database is self:
            yield outer.session
            return
        unit = _Unit(self, self.sessions())
        token = _active_unit.set(unit)
        try:
            yield unit.session
            unit.session.commit()
        except BaseException:
            unit.session.rollback()
            self._write_kept(unit.kept)
            raise
        finally:
            _active_unit.reset(token)
            unit.session.close()

    def _write_kept(self, kept: list[Callable[[Session], None]]) -> None:
        if not kept:
            return
        with self.sessions() as session, session.begin():
            for write in kept:
                write(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a session for read-only queries."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.close()  # detaches loaded rows without expiring them, so callers can still read them

    def create_all(self, extra_migrations: Sequence[Path] = ()) -> None:
        """Create or upgrade the schema through the Alembic migrations (the engine's and `extra_migrations`)."""
        from engine.store.migrate import upgrade_to_head

        upgrade_to_head(self.engine, extra_migrations)
