"""Throw-away databases for a benchmark run: a temp SQLite file or a private PostgreSQL database."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.store.db import Database
from workflows.migrations import MIGRATIONS as KIM_MIGRATIONS

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def postgres_reachable(url: str = DEFAULT_POSTGRES) -> bool:
    """Tell whether a PostgreSQL server answers at `url`."""
    try:
        probe = create_engine(_driver_url(url), connect_args={"connect_timeout": 2})
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        probe.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@contextmanager
def temp_sqlite() -> Iterator[Database]:
    """Yield a migrated database in a temporary SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="kimflow_bench_") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.create_all([KIM_MIGRATIONS])
        try:
            yield database
        finally:
            database.engine.dispose()


@contextmanager
def sqlite_file(url: str) -> Iterator[Database]:
    """Yield a migrated database in a new SQLite file; an existing file is refused, never overwritten."""
    path = make_url(url).database
    if path and Path(path).exists() and Path(path).stat().st_size > 0:
        raise SystemExit(f"{path} exists; the benchmark writes 100,000 rows and needs a new file")
    database = Database(url)
    database.create_all([KIM_MIGRATIONS])
    try:
        yield database
    finally:
        database.engine.dispose()


@contextmanager
def private_postgres(server_url: str = DEFAULT_POSTGRES) -> Iterator[Database]:
    """Create a database kimflow_bench_<random> on the server, yield it migrated, then drop it."""
    name = f"kimflow_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_driver_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(str(make_url(server_url).set(database=name).render_as_string(hide_password=False)))
    try:
        database.create_all([KIM_MIGRATIONS])
        yield database
    finally:
        database.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_database(url: str | None):
    """Return the context manager for `--db URL` (a new SQLite file, or a private database on a server)."""
    if url is None:
        return temp_sqlite()
    if url.startswith("sqlite"):
        return sqlite_file(url)
    return private_postgres(url)
