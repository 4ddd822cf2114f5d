"""The DMN tables decide as DOMAIN.md describes, and UNIQUE tables match exactly one rule, on kimflow's DMN path."""

import datetime as dt

import pytest

from engine.store.models import DefinitionVersion
from workflows.library import library_files

from .decisions import decide, matching_rules
from .runner import START, World

INDICATION = dict(
    other_case_management=False,
    problem_area_count=4,
    offices_involved=3,
    standard_services_failing=False,
    lacks_resources=False,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"standard_services_failing": True}, "case_management"),
        ({"lacks_resources": True}, "case_management"),
        ({}, "standard_service"),
        ({"offices_involved": 1, "lacks_resources": True}, "standard_service"),
        ({"problem_area_count": 2, "lacks_resources": True}, "standard_service"),
        ({"problem_area_count": 1, "lacks_resources": True}, "short_advice"),
        ({"problem_area_count": 0}, "short_advice"),
        ({"other_case_management": True, "standard_services_failing": True}, "standard_service"),
    ],
)
def test_indication(changes, expected):
    data = {**INDICATION, **changes}
    assert decide("indication", **data)["indication"] == expected
    assert matching_rules("indication", **data) == 1


def _in_days(days: int) -> str:
    return (START.date() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("expiry", "urgency", "priority"),
    [
        (_in_days(-3), "high", 90),
        (_in_days(0), "high", 90),
        (_in_days(14), "high", 90),
        (_in_days(15), "medium", 60),
        (_in_days(30), "medium", 60),
        (_in_days(31), "normal", 30),
        (None, "normal", 30),
    ],
)
def test_deadline_within_14_days_is_high_and_within_30_days_medium(expiry, urgency, priority):
    result = decide("urgency", residence_expiry=expiry)
    assert (result["urgency"], result["case_priority"]) == (urgency, priority)
    assert matching_rules("urgency", residence_expiry=expiry) == 1


@pytest.mark.parametrize(
    ("reason", "period"),
    [
        ("goals_met", "P3Y"),
        ("handed_over", "P3Y"),
        ("moved_away", "P1Y"),
        ("no_contact", "P1Y"),
        ("consent_withdrawn", "P1M"),
        ("naturalised", "P3Y"),
    ],
)
def test_every_closure_reason_has_a_retention_period(reason, period):
    assert decide("retention_period", closure_reason=reason)["retention_period"] == period


TRANSFER = dict(service_date="2026-11-24", household_size=3, protected_members=3, able_to_work=True)


@pytest.mark.parametrize("ptype", ["asylum_16a", "refugee_3", "subsidiary_4", "deportation_ban_60"])
def test_every_protection_type_moves_an_able_person_to_the_jobcenter(ptype):
    result = decide("transfer_date", protection_type=ptype, **TRANSFER)
    assert result["target_office"] == "jobcenter"
    assert matching_rules("transfer_date", protection_type=ptype, **TRANSFER) == 1


@pytest.mark.parametrize(
    ("service", "asylblg_end", "start", "appeal_end"),
    [
        ("2026-11-24", "2026-11-30", "2026-12-01", "2026-12-08"),
        ("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-13"),
        ("2028-02-03", "2028-02-29", "2028-03-01", "2028-02-17"),
    ],
)
def test_asylblg_ends_with_the_month_of_service_and_sgb_ii_starts_next_month(
    service, asylblg_end, start, appeal_end
):
    data = {**TRANSFER, "service_date": service, "protection_type": "subsidiary_4"}
    result = decide("transfer_date", **data)
    assert (result["asylblg_end"], result["benefit_start"], result["appeal_end"]) == (
        asylblg_end,
        start,
        appeal_end,
    )


def test_person_unable_to_work_goes_to_sgb_xii():
    result = decide(
        "transfer_date", protection_type="refugee_3", **{**TRANSFER, "able_to_work": False}
    )
    assert result["target_office"] == "sgb12"


AGENCY = dict(safe_country_work_ban=False, employment_type="employment", residence_months=12)


@pytest.mark.parametrize(
    ("changes", "ban", "needed"),
    [
        ({}, False, True),
        ({"residence_months": 47}, False, True),
        ({"residence_months": 48}, False, False),
        ({"employment_type": "vocational_training"}, False, False),
        ({"safe_country_work_ban": True, "residence_months": 60}, True, False),
    ],
)
def test_agency_consent(changes, ban, needed):
    data = {**AGENCY, **changes}
    result = decide("agency_consent", **data)
    assert (result["work_ban"], result["consent_needed"]) == (ban, needed)
    assert matching_rules("agency_consent", **data) == 1


TOLERATION = dict(
    identity_clarified=True,
    toleration_months=12,
    employment_months_20h=12,
    self_supporting=True,
    german_level="a2",
    convictions=False,
)


@pytest.mark.parametrize(
    ("changes", "eligible"),
    [
        ({}, True),
        ({"german_level": "b1", "toleration_months": 40}, True),
        ({"identity_clarified": False}, False),
        ({"toleration_months": 11}, False),
        ({"toleration_months": None}, False),
        ({"employment_months_20h": 11}, False),
        ({"self_supporting": False}, False),
        ({"german_level": "a1"}, False),
        ({"german_level": None}, False),
        ({"convictions": True}, False),
    ],
)
def test_employment_toleration_60d(changes, eligible):
    data = {**TOLERATION, **changes}
    result = decide("employment_toleration", **data)
    assert result["toleration_eligible"] is eligible
    assert (result["toleration_duration"] == "P30M") is eligible
    assert matching_rules("employment_toleration", **data) == 1


NATURALISATION = dict(
    residence_basis="settled",
    lawful_residence_months=60,
    german_level="b1",
    naturalisation_test_passed=True,
    german_school_certificate=False,
    self_supporting=True,
    identity_clarified=True,
    relevant_convictions=False,
)


@pytest.mark.parametrize(
    ("changes", "eligible", "missing"),
    [
        ({}, True, ""),
        ({"lawful_residence_months": 59}, False, "fünf Jahre rechtmäßiger Aufenthalt"),  # 4 years 11 months
        ({"lawful_residence_months": 96, "german_level": "c1"}, True, ""),
        ({"german_level": "a2"}, False, "Deutschkenntnisse B1"),
        ({"naturalisation_test_passed": False}, False, "Einbürgerungstest oder deutscher Schulabschluss"),
        ({"naturalisation_test_passed": False, "german_school_certificate": True}, True, ""),
        ({"self_supporting": False}, False, "Lebensunterhalt ohne SGB II/XII"),
        ({"identity_clarified": False}, False, "geklärte Identität"),
        ({"relevant_convictions": True}, False, "keine relevanten Verurteilungen"),
        ({"residence_basis": "study_training"}, False, "Aufenthaltstitel schließt Einbürgerung aus"),
        ({"residence_basis": "temporary_humanitarian"}, False, "Aufenthaltstitel schließt Einbürgerung aus"),
        ({"residence_basis": "chancen_104c"}, False, "Aufenthaltstitel schließt Einbürgerung aus"),
        ({"residence_basis": "protection"}, True, ""),
    ],
)
def test_naturalisation_quick_check_since_june_2024(changes, eligible, missing):
    data = {**NATURALISATION, **changes}
    result = decide("naturalisation_eligibility", **data)
    assert (result["eligible"], result["first_missing_item"]) == (eligible, missing)
    assert matching_rules("naturalisation_eligibility", **data) == 1


def test_missing_items_lists_every_unmet_requirement():
    data = {**NATURALISATION, "lawful_residence_months": 59, "german_level": "a2", "self_supporting": False}
    result = decide("naturalisation_missing_items", **data)
    assert result["missing_items"] == [
        "fünf Jahre rechtmäßiger Aufenthalt",
        "Deutschkenntnisse B1",
        "Lebensunterhalt ohne SGB II/XII",
    ]


def test_every_decision_of_every_file_is_deployed_as_a_decision_version_with_its_source(db):
    world = World.deployed(db, redeploy=True)
    tables = {name[:-4]: text.decode() for name, text in library_files().items() if name.endswith(".dmn")}
    with world.db.reading() as session:
        rows = {r.process_id: r for r in session.query(DefinitionVersion).filter_by(kind="decision")}
    assert set(tables) <= set(rows)
    assert set(rows) - set(tables) == {"service_day", "next_month_start"}  # the transfer date's graph
    assert all(rows[d].files[f"{d}.dmn"] == text for d, text in tables.items())


def test_the_transfer_date_graph_computes_its_dates_as_feel_values():
    result = decide("service_day", service_date="2028-02-03")
    assert result == {"service_day": "2028-02-03"}


@pytest.mark.parametrize(
    ("changes", "expected", "next_task"),
    [
        ({"problem_area_count": 1}, "short_advice", "short_advice"),
        ({"other_case_management": True, "standard_services_failing": True}, "standard_service",
         "refer_standard_service"),
        ({"standard_services_failing": True}, "case_management", "record_consent"),
    ],
)
def test_the_case_business_rule_task_decides_the_indication_from_the_referral(world, changes, expected, next_task):
    from .test_kim_case import REFERRAL, new_case

    run = new_case(world)
    run.complete("record_referral", **{**REFERRAL, **INDICATION, **changes})
    assert (run.data["indication"], run.ready()) == (expected, [next_task])


@pytest.mark.parametrize(("days", "urgency"), [(10, "high"), (20, "medium"), (90, "normal")])
def test_the_case_business_rule_task_sets_the_urgency_from_the_permit_expiry(world, days, urgency):
    from .test_kim_case import CONSENT, REFERRAL, in_days, new_case

    run = new_case(world)
    run.complete("record_referral", **REFERRAL)
    run.complete("record_consent", **CONSENT)
    run.complete("assessment", residence_title="duldung", residence_expiry=in_days(world, days),
                 benefits_type="asylblg")
    assert run.data["urgency"] == urgency
