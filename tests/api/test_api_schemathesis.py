"""Property-based checks of every operation against the served OpenAPI document (schemathesis).

Every operation is called with generated data as a token holding every verb: no answer may be a 500, every
status and body must be documented. Bounded: a few examples per operation, so the file runs in seconds.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.api.conftest import start

EXAMPLES = 8
# Data the schema cannot describe is checked by the engine and refused with a documented 422: a BPMN file's
# content, a task form's rules. For these operations "schema-valid but refused" is correct, not a failure.
CONTENT_CHECKED = {("POST", "/process-definitions"), ("POST", "/tasks/{task_id}/complete")}


def _check(operation, headers: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        excluded = [positive_data_acceptance] if (case.method, case.path) in CONTENT_CHECKED else []
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    run()


def test_every_operation_answers_as_documented(app, client, two_tasks, token_for):
    headers = token_for("schemathesis", ("sozialamt_neuss",))
    start(client, headers, "neuss")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(allow_x00=False)  # NUL is refused up front (see the test below)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        _check(operation, headers)


def test_a_nul_character_is_refused_with_422_before_it_reaches_the_database(client, two_tasks, token_for):
    headers = token_for("nul", ("sozialamt_neuss",))
    answer = client.post("/api/v1/messages", headers=headers, json={"name": "a\u0000b"})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert client.get("/api/v1/tasks?search=a%00b", headers=headers).status_code == 422
