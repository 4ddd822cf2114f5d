"""Project completed case work into `steering_fact` rows: the only source of the steering report.

Listeners registered with `install(extensions)` run inside the engine's transaction whenever a task of
the KIM diagrams (bpmn/) is completed. Which element yields which fact is the table `RULES` below;
every definition is also explained on the report page.

Definitions (all durations in calendar days):
- case_opened: `record_referral` (Zuweisung erfassen) completed; dated at the instance start (the
  referral), category = referral source (`source`).
- first_contact: same moment; days = referral (instance start) -> referral recorded with the person.
- consent: first `record_consent` with consent given; days = referral -> consent.
- plan: first `integration_plan` of a case; days = referral -> plan.
- residence_status: each `assessment` (Clearing), category = residence title; a different title than the
  case's previous assessment also yields status_transition ("alt>neu").
- office_response: an office's coordination request (`request_<office>`, its reminder or the team-lead
  escalation) answered; days = first request created -> answer; status in_sla / late against SLA_DAYS.
- case_closed: `close_case`, category = closure reason; a kim_case instance that ends without it
  (short advice, referred to a standard service) counts as closed with category no_case_management.
- asylblg_last_payment / sgb2_approved: `end_asylblg` (date = last payment) and an approving
  `decide_application`; once both exist, benefit_gap = days from the last AsylbLG payment to the
  Jobcenter's approval (the earliest moment the first SGB II payment can be made).
- naturalisation_wait: `book_appointment`; days = booking -> appointment date.
- naturalisation_processing: `decide_naturalisation`; days = application date -> decision; category =
  decision. naturalised: `hand_over_certificate`, dated at the hand-over.
- structural_problem: `assess_structural_problem`, category = problem category, status = its status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.service.registry import Extensions, InstanceContext
from engine.store.models import HumanTask, ProcessInstance
from workflows.catalogue import OFFICES_ASKED
from workflows.steering.models import SteeringFact

SLA_DAYS = 14  # the diagrams' request timer: 10 working days
OFFICES = OFFICES_ASKED


class _Fact:
    """What one listener call knows: session, instance row, case key, task data and now."""

    def __init__(self, context: InstanceContext, data: dict[str, Any], task: HumanTask | None):
        self.session: Session = context.session
        self.row = context.session.get(ProcessInstance, context.instance_id)
        self.data = {**context.data, **data}
        self.task = task
        self.now = clock.now()
        self.case_key = context.case_ref or f"instance:{context.instance_id}"

    @property
    def instance_id(self) -> int:
        assert self.row is not None, "listeners run inside the transaction of a stored instance"
        return self.row.id

    @property
    def area(self) -> str | None:
        return (self.row.area if self.row else None) or self.data.get("municipality") \
            or self.data.get("case_municipality")

    @property
    def started(self) -> dt.datetime:
        return self.row.started_at if self.row else self.now

    def add(self, kind: str, *, at: dt.datetime | None = None, days: float | None = None,
            category: Any = None, status: str | None = None) -> None:
        self.session.add(SteeringFact(
            kind=kind, case_key=self.case_key, instance_id=self.instance_id, area=self.area, status=status,
            category=None if category is None else str(category), at=at or self.now, days=days))

    def exists(self, kind: str, *, same_instance: bool = False) -> bool:
        query = select(SteeringFact.id).where(SteeringFact.kind == kind)
        query = query.where(SteeringFact.instance_id == self.instance_id) if same_instance \
            else query.where(SteeringFact.case_key == self.case_key)
        self.session.flush()
        return self.session.scalar(query.limit(1)) is not None

    def date(self, name: str) -> dt.datetime | None:
        value = self.data.get(name)
        if not value:
            return None
        try:
            return clock.parse_iso(str(value)[:10])
        except ValueError:
            return None


def days_between(start: dt.datetime, end: dt.datetime) -> float:
    """Return the distance in days, rounded to a tenth."""
    return round((end - start).total_seconds() / 86400, 1)


def _referral(f: _Fact) -> None:
    f.add("case_opened", at=f.started, category=f.data.get("source"))
    f.add("first_contact", days=days_between(f.started, f.now))


def _consent(f: _Fact) -> None:
    if f.data.get("consent_given") is True and not f.exists("consent"):
        f.add("consent", days=days_between(f.started, f.now))


def _plan(f: _Fact) -> None:
    if not f.exists("plan"):
        f.add("plan", days=days_between(f.started, f.now))


def _assessment(f: _Fact) -> None:
    title = f.data.get("residence_title")
    f.session.flush()
    previous = f.session.scalar(select(SteeringFact.category).where(
        SteeringFact.case_key == f.case_key, SteeringFact.kind == "residence_status")
        .order_by(SteeringFact.at.desc(), SteeringFact.id.desc()).limit(1))
    f.add("residence_status", category=title)
    if previous is not None and title is not None and previous != title:
        f.add("status_transition", category=f"{previous}>{title}")


def _office_response(office: str) -> Callable[[_Fact], None]:
    def record(f: _Fact) -> None:
        first = f.session.scalar(select(HumanTask.created_at).where(
            HumanTask.instance_id == f.instance_id, HumanTask.element_id == f"request_{office}",
            HumanTask.created_at <= f.now).order_by(HumanTask.created_at.desc()).limit(1))
        days = days_between(first or (f.task.created_at if f.task else f.now), f.now)
        f.add("office_response", category=office, days=days, status="in_sla" if days <= SLA_DAYS else "late")

    return record


def _closed(f: _Fact) -> None:
    f.add("case_closed", category=f.data.get("closure_reason"))


def _last_payment(f: _Fact) -> None:
    at = f.date("last_payment_date") or f.now
    f.add("asylblg_last_payment", at=at)
    _benefit_gap(f, "asylblg_last_payment", at)


def _sgb2_decision(f: _Fact) -> None:
    if f.data.get("application_decision") == "approved":
        f.add("sgb2_approved", at=f.now)
        _benefit_gap(f, "sgb2_approved", f.now)


GAP_KINDS = ("asylblg_last_payment", "sgb2_approved", "benefit_gap")
GAP_PROCESSES = ("benefit_transfer",)
GAP_KEY = "steering_gap"  # instance summary: when the instance recorded each GAP_KINDS fact (ISO), so none is read


def _benefit_gap(f: _Fact, kind: str, at: dt.datetime) -> None:
    found = _gap_facts(f)
    found.setdefault(kind, at)
    if "benefit_gap" not in found and len(found) == 2:
        paid, approved = found["asylblg_last_payment"], found["sgb2_approved"]
        found["benefit_gap"] = max(paid, approved)
        f.add("benefit_gap", at=found["benefit_gap"], days=max(0.0, days_between(paid, approved)))
    if f.row is not None:
        f.row.summary = {**(f.row.summary or {}), GAP_KEY: {k: v.isoformat() for k, v in found.items()}}


def _gap_facts(f: _Fact) -> dict[str, dt.datetime]:
    """Return when the instance recorded its earlier benefit-gap facts: kept in its summary, else read."""
    kept = (f.row.summary or {}).get(GAP_KEY) if f.row is not None else None
    if isinstance(kept, dict) and all(isinstance(v, str) for v in kept.values()):
        try:
            return {k: clock.parse_iso(v) for k, v in kept.items()}
        except ValueError:
            pass
    with f.session.no_autoflush:  # the fact just added is not among the earlier ones
        return {kind: at for kind, at in f.session.execute(select(SteeringFact.kind, SteeringFact.at).where(
            SteeringFact.instance_id == f.instance_id, SteeringFact.kind.in_(GAP_KINDS)))}


def on_instance_started(_event: str, context: InstanceContext, _payload: dict[str, Any]) -> None:
    """Start keeping the benefit-gap facts in the instance's summary: a new instance has none."""
    if context.process_id in GAP_PROCESSES:
        row = context.session.get(ProcessInstance, context.instance_id)
        if row is not None:
            row.summary = {**(row.summary or {}), GAP_KEY: {}}


def _appointment(f: _Fact) -> None:
    appointment = f.date("appointment_date")
    if appointment is not None:
        f.add("naturalisation_wait", days=max(0.0, days_between(f.now, appointment)))


def _decision(f: _Fact) -> None:
    applied = f.date("application_date")
    f.add("naturalisation_processing", category=f.data.get("naturalisation_decision"),
          days=days_between(applied, f.now) if applied else None)


def _naturalised(f: _Fact) -> None:
    f.add("naturalised", at=f.date("handover_date") or f.now)


def _problem(f: _Fact) -> None:
    f.add("structural_problem", category=f.data.get("problem_category"), status=f.data.get("problem_status"))


RULES: dict[tuple[str, str], Callable[[_Fact], None]] = {
    ("kim_case", "record_referral"): _referral,
    ("kim_case", "record_consent"): _consent,
    ("kim_case", "assessment"): _assessment,
    ("kim_case", "integration_plan"): _plan,
    ("kim_case", "close_case"): _closed,
    ("kim_case", "assess_structural_problem"): _problem,
    ("benefit_transfer", "end_asylblg"): _last_payment,
    ("benefit_transfer", "decide_application"): _sgb2_decision,
    ("naturalisation", "book_appointment"): _appointment,
    ("naturalisation", "decide_naturalisation"): _decision,
    ("naturalisation", "hand_over_certificate"): _naturalised,
}
for _office in OFFICES:
    for _element in (f"request_{_office}", f"request_{_office}_reminded", f"escalate_{_office}"):
        RULES[("kim_case", _element)] = _office_response(_office)


def on_task_completed(_event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Record the steering facts of a completed task, if its element has a rule."""
    task = payload.get("task")
    element = getattr(task, "element_id", None)
    rule = RULES.get((context.process_id, element or ""))
    if rule is not None:
        rule(_Fact(context, dict(payload.get("data") or {}), task))


def on_instance_completed(_event: str, context: InstanceContext, _payload: dict[str, Any]) -> None:
    """Count a case cycle that ended without a closure task as closed without case management."""
    if context.process_id != "kim_case":
        return
    fact = _Fact(context, {}, None)
    if fact.row is not None and not fact.exists("case_closed", same_instance=True):
        fact.add("case_closed", category="no_case_management")


def install(extensions: Extensions) -> None:
    """Register the steering-fact listeners on the engine's extensions."""
    extensions.on("instance_started", on_instance_started)
    extensions.on("task_completed", on_task_completed)
    extensions.on("instance_completed", on_instance_completed)
