"""The work permit process walks every branch through kimflow: database, worker and correlation."""

from .runner import Run, World

OFFER = dict(
    employer_name="Bäckerei Schmitz",
    job_title="Verkäufer",
    employment_type="employment",
    weekly_hours=30,
    job_start_date="2027-01-02",
    municipality="dormagen",
)
CHECK = dict(residence_title="aufenthaltsgestattung", residence_months=20, identity_clarified=True)
PERMIT = dict(permit_issued_date="2026-12-20", permit_valid_until="2027-12-31")


def checked(world: World, offer=None, **check) -> Run:
    """Return a work permit request whose application the ABH has checked."""
    [run] = world.correlate("work_permit_requested", {"case_municipality": "dormagen"}, business_key="WP-1")
    assert run.data["request_message"] == {"case_municipality": "dormagen"}
    run.complete("record_offer", **{**OFFER, **(offer or {})})
    assert run.offices(["check_application"]) == {"abh"}
    run.complete("check_application", **{**CHECK, **check})
    return run


def test_short_stay_employment_needs_agency_consent(world):
    run = checked(world)
    assert run.data["consent_needed"] is True
    assert run.ready() == ["request_agency"]


def test_agency_silence_for_two_weeks_counts_as_consent(world):
    run = checked(world)
    run.complete("request_agency", agency_request_date="2026-12-01")
    assert run.waiting_timers() == ["gw_agency"]
    run.fire("gw_agency")
    assert run.data["agency_consent"] == "deemed"
    run.complete("issue_permit", **PERMIT)
    assert run.completed


def test_agency_consent_in_time_leads_to_the_permit(world):
    run = checked(world)
    run.complete("request_agency", agency_request_date="2026-12-01")
    run.send("agency_consent_response", {"consent": "granted"})
    run.complete("record_agency_answer", agency_consent="granted")
    assert run.ready() == ["issue_permit"]


def test_agency_refusal_ends_in_rejection(world):
    run = checked(world)
    run.complete("request_agency", agency_request_date="2026-12-01")
    run.send("agency_consent_response", {"consent": "refused"})
    run.complete("record_agency_answer", agency_consent="refused")
    run.complete("reject_agency_refusal", rejection_date="2026-12-20")
    assert run.completed


def test_vocational_training_is_permitted_without_agency(world):
    run = checked(world, offer={"employment_type": "vocational_training"})
    assert run.data["consent_needed"] is False
    assert run.ready() == ["issue_permit"]


def test_four_years_stay_makes_employment_consent_free(world):
    run = checked(world, residence_months=48)
    assert run.ready() == ["issue_permit"]


def test_safe_country_work_ban_ends_in_rejection(world):
    run = checked(world, safe_country_work_ban=True)
    assert run.ready() == ["reject_work_ban"]
    run.complete("reject_work_ban", rejection_date="2026-12-20")
    assert run.completed


def test_tolerated_person_gets_the_60d_check_before_the_permit(world):
    run = checked(
        world,
        residence_title="duldung",
        residence_months=50,
        toleration_months=14,
        employment_months_20h=13,
        self_supporting=True,
        german_level="a2",
        convictions=False,
    )
    assert run.data["toleration_eligible"] is True
    assert run.data["toleration_duration"] == "P30M"
    run.complete("issue_permit", grant_toleration=True, **PERMIT)
    assert run.completed


def test_tolerated_person_with_short_toleration_is_not_eligible_for_60d(world):
    run = checked(world, residence_title="duldung", residence_months=10, toleration_months=6)
    assert run.data["toleration_eligible"] is False
    assert run.data["toleration_reason"] == "Duldung besteht noch keine 12 Monate"
