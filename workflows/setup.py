"""Wire the KIM process library into the engine: offices, routing, script functions, handlers, listeners."""

from __future__ import annotations

from typing import Any

from engine.core import clock
from engine.identity import org
from engine.service import hooks
from engine.service.registry import Extensions, InstanceContext, PeriodicTask, ServiceCall
from engine.store import audit
from workflows import register
from workflows.cases import deadlines as case_deadlines
from workflows.cases import link as case_link
from workflows.cases.people import CasePeople
from workflows.catalogue import OFFICE_CODES
from workflows.dates import FUNCTIONS
from workflows.migrations import MIGRATIONS
from workflows.retention import RETENTION_EVERY, sweep_for_worker
from workflows.routing import case_in_transaction, make_area_resolver, make_unit_resolver
from workflows.steering.facts import install as install_steering_facts

# camunda:properties on a user task (role=team_lead) that route it to the unit's team leads.
TEAM_LEAD_PROPERTY, TEAM_LEAD_ROLE = "role", "team_lead"
# Processes whose outcome the case file keeps (the result of an office flowing back into the case).
FOLLOW_UP_PROCESSES = ("benefit_transfer", "work_permit", "naturalisation")
OUTCOME_FIELDS = ("application_decision", "approved_from", "target_office", "permit_issued_date",
                  "permit_valid_until", "agency_consent", "toleration_eligible", "eligible", "first_missing_item",
                  "naturalisation_decision", "handover_date", "certificate_number")


def build_extensions() -> Extensions:
    """Return the engine extensions of the KIM process library."""
    ext = Extensions(offices=set(OFFICE_CODES), unit_resolver=make_unit_resolver(), area_resolver=make_area_resolver(),
                     candidate_resolver=team_lead_candidates)
    ext.script_functions.update(FUNCTIONS)
    ext.service_handlers["anonymise_case"] = anonymise_case
    ext.on("instance_started", case_link.link_instance)
    ext.on("task_completed", case_deadlines.close_with_task)  # before the form registers deadlines of its own
    ext.on("task_completed", on_task_completed)
    ext.on("task_created", on_task_created)
    ext.on("instance_completed", on_instance_completed)
    install_steering_facts(ext)  # the Baustein 1 report's facts, recorded as tasks complete
    ext.people = CasePeople()
    ext.periodic.append(PeriodicTask("retention", RETENTION_EVERY, sweep_for_worker))
    ext.migrations.append(MIGRATIONS)
    hooks.install(ext)  # signed event hooks to specialist systems (issue 15)
    return ext


def team_lead_candidates(task_extensions: dict[str, Any], unit: str | None, context: InstanceContext) -> list[str]:
    """Name the team leads of the responsible unit as candidates of tasks marked role=team_lead.

    The task keeps its unit, so it stays in the unit's queue too: a deputy or colleague can act when the
    team lead is absent, and a unit without a marked team lead still gets its escalations.
    """
    if task_extensions.get(TEAM_LEAD_PROPERTY) != TEAM_LEAD_ROLE or unit is None:
        return []
    return org.team_leads(context.session, unit)


def on_task_completed(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Copy what a completed form says about the person into the case and its deadline register."""
    case = case_in_transaction(context.session, context.case_ref) if context.case_ref else None
    if case is None:
        return
    task, data = payload["task"], payload["data"]
    actor = task.completed_by or "system"
    element = task.element_id
    if element == "record_referral":
        case_link.apply_referral(case, data)
    elif element == "record_consent":
        register.record_consents(context.session, case.case_ref, data, actor=actor)
    elif element == "assessment":
        case_link.apply_profile(case, data)
    elif element == "close_case":
        case_link.close_case(case, data.get("closure_reason"), actor=actor, session=context.session)
    register.register_deadlines(context.session, case.case_ref, {**context.data, **data},
                                instance_id=context.instance_id, element_id=element, actor=actor)


def on_task_created(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Register deadlines that decisions computed since the last form (appeal period, AsylbLG end)."""
    if context.case_ref:
        register.register_deadlines(context.session, context.case_ref, context.data,
                                    instance_id=context.instance_id, element_id=None, actor="system")


def on_instance_completed(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Keep a follow-up process's outcome in the case profile."""
    if context.process_id not in FOLLOW_UP_PROCESSES:
        return
    case = case_link.case_of(context)
    if case is None:
        return
    outcome = {k: context.data[k] for k in OUTCOME_FIELDS if context.data.get(k) is not None}
    profile = {k: dict(v) for k, v in (case.profile or {}).items()}
    profile.setdefault("verfahren", {})[context.process_id] = {
        **outcome, "instance_id": context.instance_id, "completed_at": clock.now().isoformat()}
    case.profile = profile


def anonymise_case(call: ServiceCall) -> dict[str, Any]:
    """Remove the person's identifying data from the case and the instance once retention ends."""
    context = call.context
    case = case_link.case_of(context)
    if case is not None and case.anonymised_at is None:
        case.given_name = case.family_name = None
        case.birth_date = None
        case.household = []
        case.profile = {}
        case.anonymised_at = clock.now()
        audit.record(context.session, "system", "case_anonymised", instance_id=context.instance_id,
                     case_ref=case.case_ref)
    return {key: None for key in ("given_name", "family_name", "birth_date") if key in call.data} | {"anonymised": True}
