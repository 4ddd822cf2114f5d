"""A completion that loses a race for its instance (another app server changed it meanwhile) answers 409."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select, text

from engine import Actor, HumanTask, service_accounts
from tests.conftest import fixture_files
from workflows.seed import seed_units

pytestmark = pytest.mark.skipif(
    not os.environ.get("KIMFLOW_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite serialises writers, so another writer cannot slip in between a completion's read and write")


def test_a_completion_whose_instance_changed_meanwhile_answers_409_and_leaves_the_task_open(app, services):
    system = Actor.system_actor("test")
    with services.db.unit_of_work() as session:
        seed_units(session)
        account = service_accounts.create_account(session, "fachverfahren", units=["sozialamt_neuss"],
                                                  verbs=["start", "tasks"], actor="test")
        token = service_accounts.issue_token(session, account.id, actor="test", days=1)
    services.engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    instance = services.engine.start("two_tasks", actor=system, data={"municipality": "neuss"})
    with services.db.reading() as session:
        task = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance)).one()

    def another_server_moves_the_instance_on(event, context, payload):
        # A second connection commits a change of the instance between this completion's read and its write.
        with services.db.engine.connect() as other:
            other.execute(text("UPDATE process_instance SET revision = revision + 1 WHERE id = :id"),
                          {"id": context.instance_id})
            other.commit()

    services.engine.extensions.on("task_completed", another_server_moves_the_instance_on)
    try:
        answer = app.test_client().post(f"/api/v1/tasks/{task}/complete",
                                        headers={"Authorization": f"Bearer {token}"},
                                        json={"variables": {"amount": 5}})
    finally:
        services.engine.extensions.listeners["task_completed"].remove(another_server_moves_the_instance_on)
    assert answer.status_code == 409, answer.get_data(as_text=True)
    assert "gleichzeitig" in answer.get_json()["detail"]
    assert services.engine.task(task).status == "open"

