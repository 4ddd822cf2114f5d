"""The heatmap shows open tokens and durations per element of one process version."""

import datetime as dt

from sqlalchemy import select

from engine.core import clock
from engine.read.heatmap import diagram_source, heatmap, process_versions
from engine.read.lists import open_tasks
from engine.store.models import DefinitionVersion
from tests.bpmn_builder import build, user


def two_steps() -> str:
    return build("antrag", [("start", "s"), user("pruefen", "Prüfen", "abh"),
                            ("timer_catch", "warten", "P30D"), ("end", "e")],
                 [("s", "pruefen"), ("pruefen", "warten"), ("warten", "e")])


def test_durations_and_open_tokens_per_element(engine, system, db):
    engine.deploy({"antrag.bpmn": two_steps()}, actor=system)
    start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    ids = []
    with clock.frozen(start):
        ids = [engine.start("antrag", actor=system) for _ in range(11)]
    for hours, instance_id in enumerate(ids[:10], start=1):  # 1..10 hours
        with db.reading() as session:
            [task] = open_tasks(session, instance_id=instance_id)
        with clock.frozen(start + dt.timedelta(hours=hours)):
            engine.complete(task.id, actor=system)
    with db.reading() as session:
        version = session.scalars(select(DefinitionVersion)).one()
        heat = heatmap(session, version.id)
    pruefen, warten = heat.elements["pruefen"], heat.elements["warten"]
    assert (pruefen.open_tokens, pruefen.completed, pruefen.avg_hours, pruefen.p90_hours) == (1, 10, 5.5, 9.0)
    assert pruefen.name == "Prüfen"
    assert (warten.open_tokens, warten.completed) == (10, 0)
    assert heat.max_open == 10


def test_the_versions_and_their_diagram_are_listed(engine, system, db):
    engine.deploy({"antrag.bpmn": two_steps()}, actor=system)
    with db.reading() as session:
        [version] = process_versions(session)
    assert 'id="antrag"' in diagram_source(version)
