"""Fill task forms with plausible values: a case's plan decides the branches, the rest is generic."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.forms import Form, FormField
from workflows.demo.people import Person

# Date fields that lie in the future, with the range of days after the working day.
FUTURE_DATES = {
    "residence_expiry": (60, 720), "certificate_valid_until": (60, 180), "permit_valid_until": (180, 720),
    "consent_valid_until": (365, 730), "next_review_date": (28, 84), "measures_due_date": (14, 42),
    "appointment_date": (20, 120), "recheck_date": (90, 270),
}
TEXTS = {
    "concern": "Unterstützung bei Aufenthalt, Leistungen und Arbeitsuche",
    "goal_target": "Bis zur nächsten Wiedervorlage Antrag gestellt und Termin wahrgenommen",
    "referred_to": "Migrationsberatung für Erwachsene (MBE)",
    "problem_description": "Lange Wartezeiten auf Termine führen zu Leistungslücken",
    "final_assessment": "Ziele im Wesentlichen erreicht; Person kommt selbstständig zurecht",
    "qualifications": "Schulabschluss im Herkunftsland, Berufserfahrung im Handwerk",
    "family": "verheiratet, zwei Kinder",
}


@dataclass
class Plan:
    """The path one demo case takes through the processes (the choices a case manager would make)."""

    person: Person
    indication: str = "case_management"  # or standard_service, short_advice
    consent: bool = True
    offices: tuple[str, ...] = ()
    follow_up: str = "none"  # benefit_transfer, work_permit, naturalisation
    follow_up_outcome: str = "approved"  # or rejected / refused / not_eligible
    reviews_before_close: int = 3
    residence_title: str = "aufenthaltsgestattung"
    reviews_done: int = 0
    structural_problem: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def indication_fields(plan: Plan) -> dict[str, Any]:
    """Return referral answers that the indication table turns into the planned outcome."""
    if plan.indication == "standard_service":
        return {"other_case_management": True, "problem_area_count": 2, "offices_involved": 1}
    if plan.indication == "short_advice":
        return {"other_case_management": False, "problem_area_count": 1, "offices_involved": 1,
                "standard_services_failing": False, "lacks_resources": False}
    return {"other_case_management": False, "problem_area_count": 4, "offices_involved": 3,
            "standard_services_failing": True, "lacks_resources": True}


def plan_values(plan: Plan, element: str, rng: random.Random) -> dict[str, Any]:  # noqa: C901
    """Return the answers that steer `element` along the plan."""
    p = plan.person
    base: dict[str, Any] = {"municipality": p.municipality, "language": p.languages[0]}
    if element == "record_referral":
        base |= {"source": rng.choice(["office", "office", "walk_in", "welfare"]),
                 "interpreter_needed": p.languages[0] not in ("Russisch",), **indication_fields(plan)}
    elif element == "record_consent":
        base |= {"consent_given": plan.consent, "revocation_explained": True, "consent_direction": "mutual",
                 "consent_categories": "Aufenthalt, Leistungen, Arbeit, Sprache",
                 "consent_purpose": "Abstimmung der Hilfen im KIM-Fallmanagement",
                 **{f"consent_{o}": True for o in ("abh", "jobcenter", "sozialamt", "ebh")}}
    elif element == "assessment":
        base |= {"residence_title": plan.residence_title, "identity_clarified": plan.follow_up == "naturalisation",
                 "benefits_type": "asylblg" if plan.residence_title == "aufenthaltsgestattung" else "sgb2",
                 "language_level": "b1" if plan.follow_up == "naturalisation" else rng.choice(["a1", "a2"])}
    elif element == "integration_plan":
        base |= {f"request_{o}": o in plan.offices for o in ("abh", "jobcenter", "sozialamt", "ebh")}
        base |= {f"measure_{o}": "Termin und Bescheid abstimmen" for o in plan.offices}
    elif element == "review_goals":
        base |= _review(plan)
    elif element == "close_case":
        base |= {"closure_reason": plan.extra.get("closure_reason", "goals_met")}
    base |= _follow_up_values(plan, element)
    return base


def _review(plan: Plan) -> dict[str, Any]:
    plan.reviews_done += 1
    follow = plan.follow_up if plan.reviews_done == 1 else "none"
    closing = plan.reviews_done > plan.reviews_before_close and plan.follow_up != "naturalisation"
    return {"review_result": "met" if closing else "on_track", "situation_changed": False,
            "next_step": "close" if closing else "continue", "follow_up_process": follow}


def _follow_up_values(plan: Plan, element: str) -> dict[str, Any]:
    ok = plan.follow_up_outcome == "approved"
    eligible = {"residence_basis": "protection", "lawful_residence_months": 72 if ok else 40,
                "german_level": "b1", "naturalisation_test_passed": True, "self_supporting": True,
                "identity_clarified": True, "relevant_convictions": False, "applicant_age": 34}
    table: dict[str, dict[str, Any]] = {
        "quick_check": eligible,
        "check_completeness": {"application_complete": True},
        "security_query": {"security_result": "no_findings"},
        "criminal_register": {"register_result": "no_entries"},
        "decide_naturalisation": {"naturalisation_decision": "approved" if ok else "rejected"},
        "record_decision": {"protection_type": "refugee_3", "household_size": 3, "protected_members": 3,
                            "able_to_work": True},
        "decide_application": {"application_decision": "approved" if ok else "rejected"},
        "record_offer": {"employment_type": "employment", "weekly_hours": 38, "monthly_salary": 2600,
                         "employer_name": "Logistik Neuss GmbH", "job_title": "Lagerhelfer/in"},
        "check_application": {"residence_title": plan.residence_title, "residence_months": 30,
                              "safe_country_work_ban": not ok and plan.follow_up == "work_permit"},
        "record_agency_answer": {"agency_consent": "granted" if ok else "refused"},
    }
    return table.get(element, {})


def fill(form: Form | None, wanted: dict[str, Any], day: dt.date, rng: random.Random) -> dict[str, Any]:
    """Return valid values for every writable field: the wanted ones where they fit, else generic ones."""
    if form is None:
        return {}
    values = {}
    for f in form.fields:
        if f.readonly:
            continue
        value = wanted.get(f.id, _MISSING)
        values[f.id] = value if value is not _MISSING and _fits(f, value) else _generic(f, day, rng)
    return values


_MISSING = object()


def _fits(f: FormField, value: Any) -> bool:
    if f.type == "enum":
        return value in {option for option, _ in f.options}
    return value is not None or not f.required


def _generic(f: FormField, day: dt.date, rng: random.Random) -> Any:
    makers: dict[str, Callable[[], Any]] = {
        "boolean": lambda: f.required or f.id.startswith("doc_") or _default(f) is True,  # a required box is ticked
        "long": lambda: int(max(f.min or 0, min(f.max if f.max is not None else 5, rng.randint(0, 3)))),
        "date": lambda: _date(f.id, day, rng),
        "enum": lambda: _default(f) if _default(f) in {o for o, _ in f.options} else f.options[0][0],
        "string": lambda: TEXTS.get(f.id, f.label if f.required else None),
    }
    value = makers.get(f.type, lambda: None)()
    if isinstance(value, str) and f.maxlength:
        value = value[: f.maxlength]
    return value


def _default(f: FormField) -> Any:
    if isinstance(f.default, str) and f.type == "boolean":
        return f.default.lower() == "true"
    return f.default


def _date(name: str, day: dt.date, rng: random.Random) -> str:
    low, high = FUTURE_DATES.get(name, (-3, 0))
    return (day + dt.timedelta(days=rng.randint(low, high))).isoformat()
