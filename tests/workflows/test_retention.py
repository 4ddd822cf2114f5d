"""A closed KIM case keeps its retention period from the decision table and is anonymised by the worker."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from engine import cli as engine_cli
from engine.cli import Plugin, run
from engine.core import clock
from engine.store.db import Database
from engine.store.models import ProcessInstance
from tests.workflows.conftest import SYSTEM, complete, start_case, to_monitoring
from workflows import commands
from workflows.cases import files as cases
from workflows.cases import link as case_link
from workflows.cases.models import Case
from workflows.retention import retention_end
from workflows.setup import build_extensions
from workflows.steering.models import SteeringFact

REVIEW = {"review_result": "on_track", "next_review_date": "2030-01-01"}


def closed_case(kim, municipality: str, reason: str) -> str:
    """Walk a case to monitoring and close it from a review with `reason`."""
    case_ref = start_case(kim, municipality, birth_date="1988-02-03")
    to_monitoring(kim, case_ref, municipality)
    kim.correlate("case_status_changed", actor=SYSTEM, payload={"event": "job_found"}, case_ref=case_ref)
    complete(kim, case_ref, "review_goals", next_step="close", **REVIEW)
    complete(kim, case_ref, "close_case", closure_reason=reason, final_assessment="Frau Person ist verzogen")
    return case_ref


@pytest.fixture
def cli(database_url, capsys, monkeypatch):
    """Return a function running one `kimflow` command on the test database; its JSON output is parsed."""
    opened: list[Database] = []

    def tracked(url: str) -> Database:
        opened.append(Database(url))
        return opened[-1]

    def call(*argv: str) -> tuple[int, dict]:
        code = run(["--db", database_url, *argv], Plugin(extensions=build_extensions, commands=[commands.register]))
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    monkeypatch.setattr(engine_cli, "Database", tracked)
    yield call
    for database in opened:  # the command line leaves its pool open; close it before the next test
        database.engine.dispose()


def statistics(db) -> tuple[list, list]:
    with db.reading() as session:
        facts = session.execute(select(SteeringFact.kind, SteeringFact.area, func.count())
                                .group_by(SteeringFact.kind, SteeringFact.area).order_by(SteeringFact.kind)).all()
        by_area = session.execute(select(Case.area, Case.status, Case.closure_reason, func.count())
                                  .group_by(Case.area, Case.status, Case.closure_reason)).all()
    return sorted(map(tuple, facts)), sorted(map(tuple, by_area))


def test_closing_a_case_sets_retention_from_the_decision_table(kim):
    case_ref = closed_case(kim, "kaarst", "moved_away")
    with kim.db.reading() as session:
        case = cases.get_case(session, case_ref)
    assert case.retention_until == retention_end(case.closed_at, "P1Y")


def test_without_a_deployed_decision_the_longest_period_applies(db):
    closed = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)
    with db.reading() as session:
        assert case_link.retention_until(session, "moved_away", closed) == dt.date(2029, 5, 4)


def test_the_worker_anonymises_a_case_past_retention_and_statistics_survive(kim, cli):
    case_ref = closed_case(kim, "kaarst", "moved_away")
    before = statistics(kim.db)
    later = (clock.now() + dt.timedelta(days=400)).isoformat()
    code, out = cli("worker", "--once", "--now", later)
    assert code == 0 and out["anonymised"] == 1 and out["fired"] >= 1
    with kim.db.reading() as session:
        case = cases.get_case(session, case_ref)
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.case_ref == case_ref)).one()
    assert (case.given_name, case.family_name, case.birth_date, case.area) == (None, None, None, "kaarst")
    assert statistics(kim.db) == before
    code, shown = cli("show", str(instance.id), "--json")
    assert (code, shown["status"], shown["data"]["given_name"], shown["data"]["final_assessment"]) == (
        0, "completed", None, None)


def test_the_worker_leaves_a_case_whose_retention_runs_on(kim, cli):
    case_ref = closed_case(kim, "neuss", "goals_met")
    code, out = cli("worker", "--once", "--now",
                    (clock.now() + dt.timedelta(days=400)).isoformat())
    assert (code, out["anonymised"]) == (0, 0)
    with kim.db.reading() as session:
        assert cases.get_case(session, case_ref).given_name == "Test"


def test_retention_dry_run_lists_due_cases_without_changing_them(kim, cli):
    due = closed_case(kim, "dormagen", "consent_withdrawn")
    closed_case(kim, "dormagen", "goals_met")
    later = (clock.now() + dt.timedelta(days=40)).isoformat()
    code, out = cli("retention", "--dry-run", "--json", "--now", later)
    assert (code, out["cases"], out["dry_run"], out["anonymised"]) == (0, [due], True, 0)
    with kim.db.reading() as session:
        assert cases.get_case(session, due).given_name == "Test"
    code, out = cli("retention", "--json", "--now", later)
    assert (code, out["cases"], out["anonymised"]) == (0, [due], 1)
