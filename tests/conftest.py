"""Shared fixtures: one database per test run (SQLite file or a private PostgreSQL database), emptied per test.

Under pytest-xdist every worker is its own run: its own SQLite file (its own basetemp) or its own uniquely named
PostgreSQL database. Password hashes are made with minimal argon2 parameters for the whole run (see
`cheap_password_hashes`), and tests that need the Camunda corpus in ../shared fail under CI when it is missing.
"""

from __future__ import annotations

import copy
import os
import secrets
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.core.actors import Actor
from engine.identity import accounts
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
# Minimal argon2id parameters for tests (the library's minimum memory is 8 KiB per lane). They differ from the
# 1024 KiB some tests hash with on purpose, so "hashes of other parameters are upgraded at login" still upgrades.
TEST_HASH_COST = {"time_cost": 1, "memory_cost": 8}


def in_ci() -> bool:
    """Tell whether the tests run in CI (CI set to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_corpus() -> Path:
    """Return the Camunda example corpus; skip the test when it is missing, but fail it under CI."""
    if CORPUS.is_dir():
        return CORPUS
    message = (f"Camunda example corpus missing at {CORPUS} (expected in ../shared/corpora beside the checkout "
               "or at $KIMFLOW_CORPUS)")
    if in_ci():
        pytest.fail(message + "; in CI the corpus tests must run, not skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The Camunda example corpus (skipped outside CI when missing, failing under CI)."""
    return require_corpus()


def _needs_corpus(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return ("corpus" in getattr(item, "fixturenames", ()) or item.get_closest_marker("corpus") is not None
            or getattr(module, "CORPUS", None) is CORPUS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Under CI, a corpus test skipped for want of the corpus (its module's skipif) fails instead."""
    try:
        return (yield)
    except pytest.skip.Exception:
        if in_ci() and _needs_corpus(item):
            require_corpus()  # fails when the corpus is missing; otherwise the skip had another reason
        raise


def pytest_configure(config):
    config.addinivalue_line("markers", "corpus: needs the Camunda example corpus in ../shared (fails under CI "
                                       "when it is missing)")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Hash and verify passwords with minimal argon2 parameters for the whole run (production: the defaults).

    The dummy hash that unknown usernames are verified against is made cheap as well, so that a wrong username
    costs as little as a wrong password here, just as both cost the same in production.
    """
    with accounts.hash_cost(**TEST_HASH_COST):
        dummy = getattr(accounts, "_DUMMY_HASH", None)
        if dummy is not None:
            accounts._DUMMY_HASH = accounts.hash_password("kimflow-no-such-user")
        try:
            yield
        finally:
            if dummy is not None:
                accounts._DUMMY_HASH = dummy


def _postgres_url() -> str | None:
    url = os.environ.get("KIMFLOW_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


class RunDatabase:
    """This run's (this xdist worker's) database, plus seeded templates that can be copied over it per test.

    A template is the migrated schema with something expensive seeded once (the KIM library deployed, the web
    scenario walked); `restore` copies it over the run's database, so each test still starts from its own copy.
    SQLite: template files, copied in with SQLite's backup API (safe with WAL and with open pooled connections).
    PostgreSQL: template databases; the run's database is dropped and re-created from the template (same name).
    """

    def __init__(self, server: str | None, directory: Path):
        self.server, self.directory = server, directory
        self.templates: dict[str, tuple[str, object]] = {}  # name -> (url, what the seed returned)
        if server is None:
            self.name = "kimflow"
            self.url = self._sqlite_url(self.name)
            self.admin = None
        else:
            self.name = f"kimflow_test_{uuid.uuid4().hex[:10]}"
            self.admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                                       isolation_level="AUTOCOMMIT")
            self.url = server.rsplit("/", 1)[0] + "/" + self.name
        self._create(self.name, self.url)

    def _sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.directory / (name + '.db')}"

    def _create(self, name: str, url: str) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        database = Database(url)
        database.create_all([KIM_MIGRATIONS])
        database.engine.dispose()

    def _template(self, name: str, seed) -> tuple[str, object]:
        if name not in self.templates:
            template = f"{self.name}_tpl_{name}"
            url = self._sqlite_url(template) if self.admin is None else self.url.rsplit("/", 1)[0] + "/" + template
            self._create(template, url)
            database = Database(url)
            try:
                result = seed(database)
            finally:
                database.engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
            self.templates[name] = (url, result)
        return self.templates[name]

    def restore(self, name: str, seed, *open_databases: Database):
        """Copy template `name` (made by `seed(database)` on first use) over the run's database; return what
        `seed` returned. `open_databases` are the test's Database objects on the run's database."""
        url, result = self._template(name, seed)
        if self.admin is None:
            source = sqlite3.connect(url.removeprefix("sqlite:///"))
            target = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            for database in open_databases:
                database.engine.dispose()
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{self.name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{url.rsplit("/", 1)[1]}"'))
        return copy.deepcopy(result)  # each test its own, as if it had seeded itself

    def drop(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in [self.name, *(f"{self.name}_tpl_{t}" for t in self.templates)]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def run_database(tmp_path_factory) -> RunDatabase:
    """This run's database (one per xdist worker) and its seeded templates."""
    run = RunDatabase(_postgres_url(), tmp_path_factory.mktemp("db"))
    yield run
    run.drop()


@pytest.fixture(scope="session")
def database_url(run_database: RunDatabase) -> str:
    """Return the URL of this run's fresh, migrated database."""
    return run_database.url


@pytest.fixture
def restore_template(run_database: RunDatabase, shared_db: Database):
    """Return restore(name, seed, *databases): the run's database becomes a copy of the seeded template `name`.

    Only for a test's setup, right after `db`: the test then works on its own copy of what `seed` made once.
    """

    def restore(name: str, seed, *databases: Database):
        return run_database.restore(name, seed, shared_db, *databases)

    return restore


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
            _new_reference_revision(conn)
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
        _new_reference_revision(conn)


def _new_reference_revision(conn) -> None:
    """An emptied database is new reference data: give it the revision row a migrated database has."""
    conn.execute(text("INSERT INTO reference_revision (id, revision) VALUES (1, :revision)"),
                 {"revision": secrets.randbelow(2**53)})


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
