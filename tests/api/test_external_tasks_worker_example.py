"""The worker example in docs/ works external tasks against a running kimflow over real HTTP."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.api.conftest import SYSTEM
from tests.engine.test_external_tasks import external_with_error_boundary

EXAMPLE = Path(__file__).parents[2] / "docs" / "worker_example.py"


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("worker_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()


def test_the_example_worker_completes_one_task_and_turns_a_foreign_case_into_a_bpmn_error(
        example, base_url, services, token_for):
    services.engine.deploy({"exterr.bpmn": external_with_error_boundary()}, actor=SYSTEM)
    ours = services.engine.start("exterr", actor=SYSTEM, data={"zustaendig": True})
    foreign = services.engine.start("exterr", actor=SYSTEM, data={"zustaendig": False})
    token = token_for("abh-fachverfahren", verbs=["external"])["Authorization"].removeprefix("Bearer ")
    assert example.work_once(base_url, token, "beispiel") == 2
    assert example.work_once(base_url, token, "beispiel") == 0
    assert services.engine.show(ours).status == "completed"
    assert services.engine.show(ours).data["geprueft"] is True
    assert services.engine.show(foreign).status == "running"  # now at the user task behind the error event
