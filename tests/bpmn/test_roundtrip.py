"""Every diagram walk ends in the same state when each step runs on a fresh engine with a cold spec cache."""

from __future__ import annotations

import inspect

import pytest

from engine.core import clock
from tests.conftest import empty_tables

from . import test_benefit_transfer, test_kim_case, test_naturalisation, test_work_permit
from .runner import World

MODULES = (test_kim_case, test_benefit_transfer, test_work_permit, test_naturalisation)


def _walks():
    """Yield every walk of the diagram modules, once per parameter set."""
    for module in MODULES:
        for name, walk in vars(module).items():
            if not name.startswith("test_") or not inspect.isfunction(walk):
                continue
            marks = [m for m in getattr(walk, "pytestmark", []) if m.name == "parametrize"]
            if not marks:
                yield pytest.param(walk, {}, id=f"{module.__name__.rsplit('.', 1)[1]}-{name}")
                continue
            names, values = marks[0].args
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
            for value in values:
                yield pytest.param(walk, dict(zip(names, value, strict=True)), id=f"{name}-{value[0]}")


def end_state(world: World) -> list[tuple]:
    """Return every instance's process, status, data and open tasks, and the pending timers."""
    state = []
    for row in world.instances():
        with clock.frozen(world.now):
            data = world.engine.show(row.id).data
        state.append((row.process_id, row.status, sorted(data), data))
    jobs = sorted((j.element_id, j.due_at) for j in world.pending_jobs())
    return [*state, ("jobs", jobs)]


@pytest.mark.parametrize(("walk", "params"), list(_walks()))
def test_walk_on_a_fresh_engine_per_step_ends_like_the_walk_on_one_engine(db, walk, params):
    warm = World.deployed(db)
    walk(warm, **params)
    expected = end_state(warm)
    empty_tables(db)
    cold = World.deployed(db, fresh=True, redeploy=True)
    walk(cold, **params)
    assert cold.steps == warm.steps
    assert end_state(cold) == expected
