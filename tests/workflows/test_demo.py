"""`kimflow demo`: users, synthetic cases at several stages, nothing duplicated on a second run."""

import argparse
import datetime as dt
import json

from sqlalchemy import func, select

from engine.core import clock
from engine.identity.models import User
from engine.service.engine import ProcessEngine
from engine.store.models import HumanTask, ProcessInstance
from workflows.cases.models import Case
from workflows.commands import register
from workflows.setup import build_extensions

NOW = "2026-06-30T10:00:00+00:00"


def demo(db, *extra: str, capsys) -> str:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--cases", "12", "--seed", "3", *extra])
    with clock.frozen(clock.parse_iso(NOW)):
        assert args.func(args, ProcessEngine(db, build_extensions())) == 0
    return capsys.readouterr().out


def counts(db) -> tuple[int, int, int, int]:
    with db.reading() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) for model in (
            Case, ProcessInstance, HumanTask, User))


def test_demo_prints_the_users_as_json_with_the_documented_shape(db, capsys):
    users = json.loads(demo(db, "--json", capsys=capsys))
    assert {tuple(sorted(u)) for u in users} == {("password", "role", "units", "username")}
    assert {"manager", "designer", "admin", "staff"} == {u["role"] for u in users}
    assert {u["units"][0] for u in users if u["role"] == "staff"} >= {"abh_neuss", "abh_kreis", "kim_cm_juechen",
                                                                      "jobcenter_rkn", "sozialamt_rommerskirchen"}
    assert len({u["password"] for u in users}) == 1


def test_demo_creates_cases_at_several_stages_over_the_past_two_years(db, capsys):
    demo(db, capsys=capsys)
    with db.reading() as session:
        opened = list(session.scalars(select(Case.opened_at)))
        stages = set(session.scalars(select(HumanTask.element_id).where(HumanTask.status == "open")))
        done = set(session.scalars(select(HumanTask.element_id).where(HumanTask.status == "completed")))
    assert len(opened) == 12
    assert min(opened) >= clock.parse_iso(NOW) - dt.timedelta(days=731)
    assert max(opened) - min(opened) > dt.timedelta(days=180)
    assert len(stages) >= 3
    assert {"record_referral", "record_consent", "assessment", "integration_plan"} <= done


def test_running_the_demo_twice_duplicates_nothing(db, capsys):
    demo(db, capsys=capsys)
    before = counts(db)
    out = demo(db, capsys=capsys)
    assert counts(db) == before
    assert "schon vorhanden" in out


def test_the_demo_reports_its_progress_on_stderr_and_keeps_json_clean(db, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--cases", "12", "--seed", "3", "--json"])
    with clock.frozen(clock.parse_iso(NOW)):
        assert args.func(args, ProcessEngine(db, build_extensions())) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert "12/12 Fälle angelegt" in captured.err
