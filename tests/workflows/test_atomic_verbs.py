"""Every multi-step verb is one transaction: a failure after its first write leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.service.execution import Executor
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.workflows.conftest import REFERRAL, SYSTEM, open_tasks, start_case, task, to_monitoring
from workflows.cases import consent, files
from workflows.cases.models import Case, Consent


class Boom(Exception):
    """The failure forced into the middle of a verb."""


def _snapshot(engine) -> dict[str, object]:
    with engine.db.reading() as session:
        return {
            "audit": session.scalar(select(func.count()).select_from(AuditEvent)),
            "instances": session.scalar(select(func.count()).select_from(ProcessInstance)),
            "tasks": sorted((t.id, t.status, t.unit, t.claimed_by) for t in session.scalars(select(HumanTask))),
            "cases": sorted((c.case_ref, c.area) for c in session.scalars(select(Case))),
            "consents": sorted((c.id, c.revoked_at is None) for c in session.scalars(select(Consent))),
            "states": sorted((i.id, i.revision, i.status) for i in session.scalars(select(ProcessInstance))),
        }


def _fail_on_second_advance(monkeypatch) -> None:
    """Let the first instance advance (a write) happen, then fail the next one."""
    real = Executor.advance
    calls = {"n": 0}

    def advance(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise Boom("forced failure")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Executor, "advance", advance)


def test_moving_a_case_with_its_tasks_is_all_or_nothing(kim, monkeypatch):
    case_ref = start_case(kim, "kaarst")
    to_monitoring(kim, case_ref, "kaarst", requests={"request_abh": True, "request_sozialamt": True})
    before = _snapshot(kim)

    def reroute(*args, **kwargs):
        raise Boom("forced failure after the case row changed")

    monkeypatch.setattr(kim.admin, "reroute", reroute)
    with pytest.raises(Boom):
        files.move_case(kim, case_ref, "neuss", actor=SYSTEM)
    assert _snapshot(kim) == before


def test_revoking_a_consent_with_its_withdrawals_is_all_or_nothing(kim, monkeypatch):
    case_ref = start_case(kim, "dormagen")
    to_monitoring(kim, case_ref, "dormagen", requests={"request_abh": True, "request_jobcenter": True})
    with kim.db.reading() as session:
        abh = session.scalar(select(Consent.id).where(Consent.case_ref == case_ref, Consent.office == "abh"))
    before = _snapshot(kim)
    monkeypatch.setattr(kim.tasks, "withdraw", lambda *a, **k: (_ for _ in ()).throw(Boom("forced")))
    with pytest.raises(Boom):
        consent.revoke_consent(kim, abh, actor=SYSTEM, reason="Widerruf")
    assert _snapshot(kim) == before
    assert {t.office for t in open_tasks(kim, case_ref)} >= {"abh", "jobcenter"}


def test_completing_a_task_whose_follow_up_fails_writes_nothing(kim, monkeypatch):
    case_ref = start_case(kim, "neuss")
    human = task(kim, case_ref, "record_referral")
    before = _snapshot(kim)
    monkeypatch.setattr(Executor, "advance", lambda *a, **k: (_ for _ in ()).throw(Boom("forced")))
    with pytest.raises(Boom):
        kim.complete(human.id, actor=SYSTEM, data={**REFERRAL, "municipality": "neuss"})
    assert _snapshot(kim) == before


def test_a_start_that_fails_after_the_instance_row_was_written_leaves_no_instance(kim, monkeypatch):
    before = _snapshot(kim)
    monkeypatch.setattr(Executor, "advance", lambda *a, **k: (_ for _ in ()).throw(Boom("forced")))
    with pytest.raises(Boom):
        kim.start("kim_case", actor=SYSTEM, data={"given_name": "A", "family_name": "B", "municipality": "neuss"})
    assert _snapshot(kim) == before


def test_a_correlation_that_fails_in_the_second_receiver_leaves_the_first_unchanged(kim, monkeypatch):
    start_case(kim, "neuss"), start_case(kim, "kaarst")
    before = _snapshot(kim)
    _fail_on_second_advance(monkeypatch)
    with pytest.raises(Boom):
        kim.correlate("structural_problem_reported", actor=SYSTEM, payload={"problem_category": "other"})
    assert _snapshot(kim) == before
