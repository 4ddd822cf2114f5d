"""The naturalisation process walks every branch through kimflow: database, worker and correlation."""

from .runner import Run, World

QUICK = dict(
    municipality="meerbusch",
    residence_basis="settled",
    lawful_residence_months=62,
    german_level="b1",
    naturalisation_test_passed=True,
    self_supporting=True,
    identity_clarified=True,
    applicant_age=34,
    children_count=2,
)
DOCS = dict(
    doc_passport=True,
    doc_residence_title=True,
    doc_civil_status=True,
    doc_cv=True,
    doc_income=True,
    doc_b1=True,
    doc_test=True,
    application_date="2026-12-01",
)


def requested(world: World, **quick) -> Run:
    """Return a naturalisation started by message with the quick check done."""
    [run] = world.correlate("naturalisation_requested", {"case_municipality": "meerbusch"}, business_key="EB-1")
    run.complete("quick_check", **{**QUICK, **quick})
    return run


def submitted(world: World, **quick) -> Run:
    """Return a naturalisation whose application is submitted."""
    run = requested(world, **quick)
    run.complete("book_appointment", appointment_date="2026-12-01")
    run.complete("submit_application", **DOCS)
    return run


def checks_done(run: Run, *, adult: bool = True) -> None:
    """Complete the parallel checks."""
    if adult:
        run.complete("security_query", security_result="no_findings")
    run.complete("criminal_register", register_result="no_entries")
    run.complete("abh_file_check", abh_statement="no_objection")


def test_four_years_eleven_months_is_not_eligible_and_gets_advice(world):
    run = requested(world, lawful_residence_months=59)
    assert run.data["eligible"] is False
    assert run.ready() == ["advise_missing_items"]
    assert run.data["missing_items"] == ["fünf Jahre rechtmäßiger Aufenthalt"]
    run.complete("advise_missing_items", recheck_date="2027-01-01")
    assert run.completed


def test_eligible_person_books_an_appointment_and_pays_the_fee_with_children(world):
    run = requested(world)
    assert run.ready() == ["book_appointment"]
    run.complete("book_appointment", appointment_date="2026-12-01")
    assert run.data["naturalisation_fee"] == 255 + 2 * 51
    run.complete("submit_application", **DOCS)
    assert run.ready() == ["check_completeness"]
    assert run.offices(["check_completeness"]) == {"ebh"}


def test_incomplete_application_requests_documents_with_a_four_week_reminder(world):
    run = submitted(world)
    run.complete("check_completeness", application_complete=False, missing_documents="Geburtsurkunde")
    run.complete("request_documents", documents_requested_date="2026-12-05")
    assert run.ready() == ["submit_documents"]
    run.fire("timer_documents")
    assert run.ready() == ["remind_documents"]
    run.complete("remind_documents", reminder_date="2027-01-03")
    run.complete("submit_documents", documents_submitted_date="2027-01-10")
    assert run.ready() == ["check_completeness"]


def test_complete_application_runs_three_checks_in_parallel_for_adults(world):
    run = submitted(world)
    run.complete("check_completeness", application_complete=True)
    assert run.ready() == ["abh_file_check", "criminal_register", "security_query"]
    assert run.offices(["security_query"]) == {"ebh"}
    assert run.offices(["abh_file_check"]) == {"abh"}


def test_applicant_under_sixteen_skips_the_security_service_query(world):
    run = submitted(world, applicant_age=15)
    run.complete("check_completeness", application_complete=True)
    assert run.ready() == ["abh_file_check", "criminal_register"]
    checks_done(run, adult=False)
    assert run.ready() == ["personal_appearance"]


def test_slow_checks_raise_service_level_alerts_without_stopping_them(world):
    run = submitted(world)
    run.complete("check_completeness", application_complete=True)
    run.fire("timer_security_sla", "timer_abh_sla")
    assert run.ready() == [
        "abh_file_check",
        "chase_abh_statement",
        "chase_security_query",
        "criminal_register",
        "security_query",
    ]


def approved_and_handed_over(run: Run) -> None:
    """Walk a submitted, complete application to the handed-over certificate."""
    run.complete("check_completeness", application_complete=True)
    checks_done(run)
    run.complete("personal_appearance", appearance_date="2027-03-01", commitment_declared=True)
    run.complete("decide_naturalisation", naturalisation_decision="approved")
    run.complete("hand_over_certificate", handover_date="2027-04-01")


def test_naturalisation_hands_over_certificate_and_tells_the_case(world):
    run = submitted(world)
    approved_and_handed_over(run)
    assert world.sink("registration_office_notified") == [{"handover_date": "2027-04-01", "municipality": "meerbusch"}]
    assert run.ready() == ["close_abh_file"]
    run.complete("close_abh_file", file_closed_date="2027-04-02")
    assert run.completed
    done = {"certificate_date": "2027-04-01", "closure_reason": "naturalised"}
    assert world.sink("naturalisation_completed") == [done]


def test_rejection_is_served_and_ends_the_process(world):
    run = submitted(world)
    run.complete("check_completeness", application_complete=True)
    checks_done(run)
    run.complete("personal_appearance", appearance_date="2027-03-01")
    run.complete("decide_naturalisation", naturalisation_decision="rejected", decision_note="Verurteilung")
    run.complete("notify_rejection", rejection_served_date="2027-03-20")
    assert run.completed and world.sink("naturalisation_completed") == []


def test_completed_naturalisation_message_closes_the_waiting_kim_case_that_started_it(world):
    from .test_kim_case import assessed_case, review

    case = assessed_case(world)
    case.fire("gw_monitoring")
    review(case, follow_up_process="naturalisation")
    [nat] = case.children("naturalisation")
    nat.complete("quick_check", **QUICK)
    nat.complete("book_appointment", appointment_date="2026-12-01")
    nat.complete("submit_application", **DOCS)
    approved_and_handed_over(nat)
    nat.complete("close_abh_file", file_closed_date="2027-04-02")
    assert nat.completed and world.sink("naturalisation_completed") == []
    assert case.ready() == ["close_case"]
    assert case.data["closure_reason"] == "naturalised"
    assert case.data["naturalisation_result"]["certificate_date"] == "2027-04-01"
