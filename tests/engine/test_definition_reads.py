"""Starting reads a version's sources only when this process has not parsed them: the newest comes from an index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from engine.core.errors import NotFound
from engine.service.engine import ProcessEngine
from engine.store.models import ProcessInstance
from tests.bpmn_builder import linear


@contextmanager
def statements(db) -> Iterator[list[str]]:
    sent: list[str] = []

    def one(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", one)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", one)


def test_starting_a_process_parsed_before_reads_no_definition_version(engine, system, db):
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    engine.start("p", actor=system)
    with statements(db) as sent:
        engine.start("p", actor=system)
    assert not [s for s in sent if "FROM definition_version" in s]


def test_a_process_this_process_never_parsed_loads_its_sources_and_starts(engine, system, db, extensions):
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    other = ProcessEngine(db, extensions)  # another server process: an empty parsed-spec cache
    with statements(db) as sent:
        instance_id = other.start("p", actor=system)
    assert [s for s in sent if "definition_version.files" in s]
    assert other.show(instance_id).version == 1


def test_a_version_deployed_after_a_start_is_the_one_the_next_start_uses(engine, system, db):
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    engine.start("p", actor=system)
    engine.deploy({"p.bpmn": linear("p", tasks=2)}, actor=system)
    second = engine.start("p", actor=system)
    earlier = engine.start("p", actor=system, version=1)
    with db.reading() as session:
        versions = {row.id: row.version for row in session.execute(select(ProcessInstance.id, ProcessInstance.version))}
    assert (versions[second], versions[earlier]) == (2, 1)


def test_an_undeployed_process_or_version_is_not_found(engine, system):
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    with pytest.raises(NotFound):
        engine.start("q", actor=system)
    with pytest.raises(NotFound):
        engine.start("p", actor=system, version=2)
