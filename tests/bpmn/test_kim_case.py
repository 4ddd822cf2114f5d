"""The KIM case-management cycle walks every branch through kimflow: database, worker and correlation."""

import datetime as dt

import pytest

from engine.core import clock
from engine.identity import org
from engine.identity.models import User

from .runner import Run, World

PERSON = dict(given_name="Amal", family_name="Haddad", municipality="kaarst")
REFERRAL = dict(
    source="office",
    municipality="kaarst",
    language="Arabisch",
    interpreter_needed=True,
    concern="Leistungslücke, Wohnung, Arbeit",
    problem_area_count=4,
    offices_involved=3,
    standard_services_failing=True,
)
CONSENT = dict(
    consent_given=True,
    consent_abh=True,
    consent_jobcenter=True,
    revocation_explained=True,
    consent_valid_until="2027-12-31",
)
PLAN = dict(
    goal_area="work",
    goal_target="Arbeitsaufnahme bis Juni",
    goal_priority="high",
    measures_due_date="2026-12-15",
    next_review_date="2027-01-15",
)


def in_days(world: World, days: int) -> str:
    """Return the ISO date `days` after the world's today."""
    return (world.now.date() + dt.timedelta(days=days)).isoformat()


def new_case(world: World) -> Run:
    """Return a freshly started kim_case for a Kaarst resident."""
    return world.start("kim_case", **PERSON)


def assessed_case(world: World, **plan) -> Run:
    """Return a case that has consent, an assessment and an integration plan with `plan`."""
    run = new_case(world)
    run.complete("record_referral", **REFERRAL)
    run.complete("record_consent", **CONSENT)
    run.complete(
        "assessment",
        residence_title="aufenthaltsgestattung",
        residence_expiry=in_days(world, 60),
        benefits_type="asylblg",
        language_level="a2",
    )
    run.complete("integration_plan", **{**PLAN, **plan})
    return run


def review(run: Run, **data) -> None:
    """Complete the review with an on-track default."""
    run.complete(
        "review_goals",
        **{"review_result": "on_track", "next_step": "continue", "next_review_date": "2027-03-01", **data},
    )


def add_team_lead(world: World, username: str, unit: str) -> None:
    """Give `unit` a team lead."""
    with world.db.unit_of_work() as session:
        session.add(User(username=username, display_name=username.title(), password_hash="-", role="staff",
                         active=True, failed_logins=0, session_version=1, language="de", created_at=clock.now()))
        session.flush()
        org.add_membership(session, username, unit, actor="admin")
        org.set_team_lead(session, username, unit, actor="admin")


def test_single_problem_area_ends_in_anonymous_short_advice(world):
    run = new_case(world)
    run.complete("record_referral", **{**REFERRAL, "problem_area_count": 1})
    assert run.data["indication"] == "short_advice"
    run.complete("short_advice", advice_topic="benefits", advice_minutes=30)
    assert run.completed


def test_person_already_in_job_centre_case_management_is_referred_to_standard_service(world):
    run = new_case(world)
    run.complete("record_referral", **{**REFERRAL, "other_case_management": True})
    assert run.ready() == ["refer_standard_service"]
    run.complete("refer_standard_service", referred_to="Fallmanagement Jobcenter")
    assert run.completed


def test_without_consent_only_anonymous_short_advice_follows(world):
    run = new_case(world)
    run.complete("record_referral", **REFERRAL)
    assert run.data["indication"] == "case_management"
    run.complete("record_consent", consent_given=False, revocation_explained=True)
    assert run.ready() == ["short_advice"]
    run.complete("short_advice", advice_topic="residence")
    assert run.completed


def test_referral_sits_in_the_kim_cm_lane_and_goes_to_the_municipality_team(world):
    run = new_case(world)
    assert run.offices(["record_referral"]) == {"kim_cm"}
    assert run.task("record_referral").unit == "kim_cm_kaarst"


def test_permit_expiring_within_fourteen_days_makes_the_case_high_priority(world):
    run = new_case(world)
    run.complete("record_referral", **REFERRAL)
    run.complete("record_consent", **CONSENT)
    run.complete(
        "assessment", residence_title="duldung", residence_expiry=in_days(world, 10), benefits_type="asylblg"
    )
    assert (run.data["urgency"], run.data["case_priority"]) == ("high", 90)


def test_requests_go_only_to_the_offices_named_in_the_plan_and_land_in_their_lanes(world):
    run = assessed_case(
        world,
        request_abh=True,
        measure_abh="Fiktionsbescheinigung",
        request_jobcenter=True,
        measure_jobcenter="Eingliederungsvereinbarung",
    )
    assert run.ready() == ["request_abh", "request_jobcenter"]
    assert run.offices(run.ready()) == {"abh", "jobcenter"}
    assert run.timer_value("timer_request_abh") == world.now + dt.timedelta(days=14)


def test_unanswered_request_gets_a_reminder_then_goes_to_the_team_lead(world):
    add_team_lead(world, "krause", "abh_kreis")
    run = assessed_case(world, request_abh=True, measure_abh="Fiktionsbescheinigung")
    run.fire("timer_request_abh")
    assert run.data["reminder_abh_sent"] is True
    assert run.ready() == ["request_abh_reminded"]
    run.fire("timer_reminder_abh")
    assert run.ready() == ["escalate_abh"]
    assert run.task("escalate_abh").candidate_users == ["krause"]  # role=team_lead
    run.complete("escalate_abh", abh_outcome="done", abh_reference="ABH-2026-17", abh_date="2026-12-01")
    assert run.ready() == [] and run.waiting_timers() == ["gw_monitoring"]


def test_answered_requests_lead_to_monitoring_until_the_review_date(world):
    run = assessed_case(
        world,
        request_jobcenter=True,
        measure_jobcenter="Sprachkurs",
        request_sozialamt=True,
        measure_sozialamt="Wohnung",
    )
    run.complete("request_jobcenter", jobcenter_outcome="done", jobcenter_date="2026-12-01")
    run.complete("request_sozialamt", sozialamt_outcome="in_progress", sozialamt_date="2026-12-02")
    assert run.timer_date("gw_monitoring") == "2027-01-15"
    run.fire("gw_monitoring")
    assert run.ready() == ["review_goals"]


def test_plan_without_requests_goes_straight_to_monitoring(world):
    run = assessed_case(world)
    assert run.ready() == [] and run.waiting_timers() == ["gw_monitoring"]


def test_changed_situation_sends_the_case_back_to_assessment(world):
    run = assessed_case(world)
    run.fire("gw_monitoring")
    review(run, situation_changed=True)
    assert run.ready() == ["assessment"]


def test_status_event_interrupts_monitoring_and_opens_a_review(world):
    run = assessed_case(world)
    run.send("case_status_changed", {"event": "protection_granted"})
    assert run.ready() == ["review_goals"]
    assert run.data["status_event"] == {"event": "protection_granted"}
    assert run.waiting_timers() == []


def test_monitoring_cycles_repeat_a_few_times_without_stalling(world):
    run = assessed_case(world)
    for _ in range(5):
        run.fire("gw_monitoring")
        review(run)
    assert run.waiting_timers() == ["gw_monitoring"]


@pytest.mark.parametrize(
    ("follow_up", "start_task", "result_var"),
    [
        ("benefit_transfer", "record_decision", "bamf_message"),
        ("work_permit", "record_offer", "request_message"),
        ("naturalisation", "quick_check", "request_message"),
    ],
)
def test_review_starts_a_follow_up_process_by_message(world, follow_up, start_task, result_var):
    run = assessed_case(world)
    run.fire("gw_monitoring")
    review(run, follow_up_process=follow_up)
    assert run.waiting_timers() == ["gw_monitoring"]
    [follow] = run.children(follow_up)
    assert follow.ready() == [start_task]
    assert follow.data[result_var]["case_municipality"] == "kaarst"


def test_closing_case_waits_for_retention_period_then_anonymises(world):
    run = assessed_case(world)
    run.fire("gw_monitoring")
    review(run, review_result="met", next_step="close")
    run.complete("close_case", closure_reason="goals_met", final_assessment="Arbeit gefunden")
    assert run.data["retention_period"] == "P3Y"
    assert run.waiting_timers() == ["timer_retention"]
    assert run.timer_value("timer_retention") > world.now + dt.timedelta(days=1000)
    run.fire("timer_retention")
    assert run.completed
    assert run.data["anonymised"] is True


def test_completed_naturalisation_closes_the_case_as_naturalised(world):
    run = assessed_case(world)
    run.send("naturalisation_completed", {"certificate_date": "2027-05-02"})
    assert run.ready() == ["close_case"]
    assert run.data["closure_reason"] == "naturalised"
    run.complete("close_case", closure_reason="naturalised", final_assessment="eingebürgert")
    assert run.waiting_timers() == ["timer_retention"]


def test_structural_problem_can_be_reported_any_time_without_interrupting_the_case(world):
    run = assessed_case(world, request_abh=True, measure_abh="Termin")
    for _ in range(2):
        run.send("structural_problem_reported", {"text": "Termine erst in 6 Monaten"})
    assert run.ready() == ["assess_structural_problem", "assess_structural_problem", "request_abh"]
    assert run.offices(["request_abh"]) == {"abh"}
    assert run.offices(["assess_structural_problem"]) == {"kim_coord"}
    assert run.waiting_timers() == ["timer_request_abh"]
