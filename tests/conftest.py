"""Shared fixtures: one database per test run (SQLite file or a private PostgreSQL database), emptied per test."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.core.actors import Actor
from engine.service.engine import ProcessEngine
from engine.service.registry import Extensions
from engine.store.db import Base, Database
from workflows.migrations import MIGRATIONS as KIM_MIGRATIONS

FIXTURES = Path(__file__).parent / "engine" / "fixtures"
BPMN_DIR = Path(__file__).parent.parent / "bpmn"


def _corpus() -> Path:
    """Find the Camunda example corpus: $KIMFLOW_CORPUS, else shared/ beside the checkout."""
    candidates = [os.environ.get("KIMFLOW_CORPUS", ""),
                  Path(__file__).resolve().parents[2] / "shared" / "corpora" / "camunda-bpm-examples",
                  "/work/shared/corpora/camunda-bpm-examples"]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), Path(candidates[-1]))


CORPUS = _corpus()


def _postgres_url() -> str | None:
    url = os.environ.get("KIMFLOW_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Yield a fresh, migrated database URL for this test run."""
    server = _postgres_url()
    if server is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kimflow.db'}"
        Database(url).create_all([KIM_MIGRATIONS])
        yield url
        return
    name = f"kimflow_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    database.create_all([KIM_MIGRATIONS])
    yield url
    database.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def shared_db(database_url):
    database = Database(database_url)
    yield database
    database.engine.dispose()


def empty_tables(database: Database) -> None:
    """Empty every table, also the append-only audit log whose triggers refuse DELETE."""
    import engine.schema  # noqa: F401
    import workflows.schema  # noqa: F401

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if database.is_postgres:
            # TRUNCATE is not a row operation, so the audit log's row triggers do not fire.
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
        # SQLite has no TRUNCATE: lift the audit triggers for this one emptying, then put them back as they were.
        guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND tbl_name = 'audit_event'")).all()
        for name, _sql in guards:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        for _name, sql in guards:
            conn.execute(text(sql))


@pytest.fixture
def db(shared_db: Database) -> Database:
    """Yield the run's database with every table emptied."""
    empty_tables(shared_db)
    return shared_db


@pytest.fixture
def extensions() -> Extensions:
    return Extensions()


@pytest.fixture
def engine(db: Database, extensions: Extensions) -> ProcessEngine:
    return ProcessEngine(db, extensions)


@pytest.fixture
def system() -> Actor:
    return Actor.system_actor("test")


def fixture_files(*names: str) -> dict[str, bytes]:
    """Read fixture diagrams by file name."""
    return {name: (FIXTURES / name).read_bytes() for name in names}
