"""The KIM case-management cycle walks every branch on bare SpiffWorkflow."""

import datetime as dt

import pytest

from .runner import Run, add_days, message

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


def in_days(days: int) -> str:
    return add_days(dt.date.today().isoformat(), days)


def assessed_case(**plan) -> Run:
    """Return a case that has consent, an assessment and an integration plan with `plan`."""
    run = Run("kim_case")
    run.complete("record_referral", **REFERRAL)
    run.complete("record_consent", **CONSENT)
    run.complete(
        "assessment",
        residence_title="aufenthaltsgestattung",
        residence_expiry=in_days(60),
        benefits_type="asylblg",
        language_level="a2",
    )
    run.complete("integration_plan", **{**PLAN, **plan})
    return run


def review(run: Run, **data) -> None:
    run.complete(
        "review_goals",
        **{"review_result": "on_track", "next_step": "continue", "next_review_date": "2027-03-01", **data},
    )


def test_single_problem_area_ends_in_anonymous_short_advice():
    run = Run("kim_case")
    run.complete("record_referral", **{**REFERRAL, "problem_area_count": 1})
    assert run.data["indication"] == "short_advice"
    run.complete("short_advice", advice_topic="benefits", advice_minutes=30)
    assert run.completed


def test_person_already_in_job_centre_case_management_is_referred_to_standard_service():
    run = Run("kim_case")
    run.complete("record_referral", **{**REFERRAL, "other_case_management": True})
    assert run.ready() == ["refer_standard_service"]
    run.complete("refer_standard_service", referred_to="Fallmanagement Jobcenter")
    assert run.completed


def test_without_consent_only_anonymous_short_advice_follows():
    run = Run("kim_case")
    run.complete("record_referral", **REFERRAL)
    assert run.data["indication"] == "case_management"
    run.complete("record_consent", consent_given=False, revocation_explained=True)
    assert run.ready() == ["short_advice"]
    run.complete("short_advice", advice_topic="residence")
    assert run.completed


def test_referral_and_case_manager_tasks_sit_in_the_kim_cm_lane():
    run = Run("kim_case")
    assert run.lanes(["record_referral"]) == {"KIM-Fallmanagement (kim_cm)"}


def test_permit_expiring_within_fourteen_days_makes_the_case_high_priority():
    run = Run("kim_case")
    run.complete("record_referral", **REFERRAL)
    run.complete("record_consent", **CONSENT)
    run.complete(
        "assessment", residence_title="duldung", residence_expiry=in_days(10), benefits_type="asylblg"
    )
    assert (run.data["urgency"], run.data["case_priority"]) == ("high", 90)


def test_requests_go_only_to_the_offices_named_in_the_plan_and_land_in_their_lanes():
    run = assessed_case(
        request_abh=True,
        measure_abh="Fiktionsbescheinigung",
        request_jobcenter=True,
        measure_jobcenter="Eingliederungsvereinbarung",
    )
    assert run.ready() == ["request_abh", "request_jobcenter"]
    assert run.lanes(run.ready()) == {"Ausländerbehörde (abh)", "Jobcenter (jobcenter)"}
    assert run.timer_value("timer_request_abh") > dt.datetime.now(dt.UTC).isoformat()


def test_unanswered_request_gets_a_reminder_then_goes_to_the_team_lead():
    run = assessed_case(request_abh=True, measure_abh="Fiktionsbescheinigung")
    run.fire("timer_request_abh")
    assert run.data["reminder_abh_sent"] is True
    assert run.ready() == ["request_abh_reminded"]
    run.fire("timer_reminder_abh")
    assert run.ready() == ["escalate_abh"]
    assert run.task("escalate_abh").task_spec.extensions["role"] == "team_lead"
    run.complete("escalate_abh", abh_outcome="done", abh_reference="ABH-2026-17", abh_date="2026-12-01")
    assert run.ready() == [] and run.waiting_timers() == ["gw_monitoring"]


def test_answered_requests_lead_to_monitoring_until_the_review_date():
    run = assessed_case(
        request_jobcenter=True,
        measure_jobcenter="Sprachkurs",
        request_sozialamt=True,
        measure_sozialamt="Wohnung",
    )
    run.complete("request_jobcenter", jobcenter_outcome="done", jobcenter_date="2026-12-01")
    run.complete("request_sozialamt", sozialamt_outcome="in_progress", sozialamt_date="2026-12-02")
    assert run.timer_value("gw_monitoring") == "2027-01-15"
    run.fire("gw_monitoring")
    assert run.ready() == ["review_goals"]


def test_plan_without_requests_goes_straight_to_monitoring():
    run = assessed_case()
    assert run.ready() == [] and run.waiting_timers() == ["gw_monitoring"]


def test_changed_situation_sends_the_case_back_to_assessment():
    run = assessed_case()
    run.fire("gw_monitoring")
    review(run, situation_changed=True)
    assert run.ready() == ["assessment"]


def test_status_event_interrupts_monitoring_and_opens_a_review():
    run = assessed_case()
    run.send(message("case_status_changed", {"event": "protection_granted"}, "status_event"))
    assert run.ready() == ["review_goals"]
    assert run.data["status_event"] == {"event": "protection_granted"}


def test_monitoring_cycles_repeat_a_few_times_without_stalling():
    run = assessed_case()
    for _ in range(5):
        run.fire("gw_monitoring")
        review(run)
    assert run.waiting_timers() == ["gw_monitoring"]


@pytest.mark.parametrize(
    ("follow_up", "message_name", "start_task"),
    [
        ("benefit_transfer", "bamf_decision_served", "record_decision"),
        ("work_permit", "work_permit_requested", "record_offer"),
        ("naturalisation", "naturalisation_requested", "quick_check"),
    ],
)
def test_review_starts_a_follow_up_process_by_message(follow_up, message_name, start_task):
    run = assessed_case()
    run.fire("gw_monitoring")
    review(run, follow_up_process=follow_up)
    [event] = run.messages(message_name)
    assert event.payload["payload"]["case_municipality"] == "kaarst"
    assert run.waiting_timers() == ["gw_monitoring"]
    follow = Run(follow_up)
    follow.send(event)
    assert follow.ready() == [start_task]
    assert follow.data[event.payload["result_var"]]["case_municipality"] == "kaarst"


def test_closing_case_waits_for_retention_period_then_anonymises():
    run = assessed_case()
    run.fire("gw_monitoring")
    review(run, review_result="met", next_step="close")
    run.complete("close_case", closure_reason="goals_met", final_assessment="Arbeit gefunden")
    assert run.data["retention_period"] == "P3Y"
    assert run.waiting_timers() == ["timer_retention"]
    assert (
        run.timer_value("timer_retention") > (dt.datetime.now(dt.UTC) + dt.timedelta(days=1000)).isoformat()
    )
    run.fire("timer_retention")
    run.complete_service("anonymise_case")
    assert run.completed


def test_completed_naturalisation_closes_the_case_as_naturalised():
    run = assessed_case()
    run.send(message("naturalisation_completed", {"certificate_date": "2027-05-02"}, "naturalisation_result"))
    assert run.ready() == ["close_case"]
    assert run.data["closure_reason"] == "naturalised"
    run.complete("close_case", closure_reason="naturalised", final_assessment="eingebürgert")
    assert run.waiting_timers() == ["timer_retention"]


def test_structural_problem_can_be_reported_any_time_without_interrupting_the_case():
    run = assessed_case(request_abh=True, measure_abh="Termin")
    for _ in range(2):
        run.send(
            message(
                "structural_problem_reported", {"text": "Termine erst in 6 Monaten"}, "structural_problem"
            )
        )
    assert run.ready() == ["assess_structural_problem", "assess_structural_problem", "request_abh"]
    assert run.lanes(["request_abh"]) == {"Ausländerbehörde (abh)"}
    coord = [t for t in run.workflow.get_tasks() if t.task_spec.bpmn_id == "assess_structural_problem"]
    assert {t.task_spec.lane for t in coord} == {"KIM-Koordination (kim_coord)"}
