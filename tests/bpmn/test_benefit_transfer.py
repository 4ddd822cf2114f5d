"""The benefit transfer AsylbLG -> SGB II walks every branch through kimflow: database, worker and correlation."""

from .runner import Run, World

DECISION = dict(
    protection_type="refugee_3",
    decision_date="2026-11-20",
    service_date="2026-11-24",
    municipality="grevenbroich",
    household_size=4,
    protected_members=3,
    able_to_work=True,
)
DOCS = dict(
    doc_id=True,
    doc_residence=True,
    doc_tenancy=True,
    doc_bank_account=True,
    doc_health_insurance=True,
    application_filed_date="2026-11-26",
)


def served(world: World, **decision) -> Run:
    """Return a transfer started by the BAMF message with the decision recorded."""
    assert world.instances("benefit_transfer") == []
    [run] = world.correlate("bamf_decision_served", {"case_municipality": "grevenbroich"}, business_key="BT-1")
    assert run.ready() == ["record_decision"]
    run.complete("record_decision", **{**DECISION, **decision})
    return run


def through_parallel_work(run: Run) -> None:
    """Complete the parallel work of ABH, Sozialamt and case manager, the appeal period running out."""
    run.complete(
        "issue_provisional_certificate",
        certificate_issued_date="2026-11-27",
        certificate_valid_until="2027-02-27",
    )
    run.complete(
        "check_residence_obligation",
        residence_obligation_applies=True,
        obligation_municipality="grevenbroich",
    )
    run.fire("timer_appeal_end")
    run.complete("issue_residence_permit", permit_paragraph="25_2_1", permit_valid_until="2029-12-08")
    run.complete("end_asylblg", last_payment_date="2026-11-01", transfer_sent=True)
    run.complete("help_file_application", **DOCS)


def test_bamf_message_starts_the_transfer_and_keeps_the_payload(world):
    run = served(world)
    assert run.status == "running" and run.row.business_key == "BT-1"
    assert run.data["bamf_message"] == {"case_municipality": "grevenbroich"}


def test_recognised_refugee_moves_from_sozialamt_to_jobcenter_at_month_end(world):
    run = served(world)
    data = run.data
    assert data["target_office"] == "jobcenter"
    assert (data["asylblg_end"], data["benefit_start"]) == ("2026-11-30", "2026-12-01")
    assert data["appeal_end"] == "2026-12-08"
    assert data["members_staying_asylblg"] == 1


def test_abh_sozialamt_and_case_manager_work_in_parallel_in_their_lanes(world):
    run = served(world)
    assert run.ready() == ["end_asylblg", "help_file_application", "issue_provisional_certificate"]
    assert run.offices(run.ready()) == {"abh", "sozialamt", "kim_cm"}


def test_residence_permit_waits_for_the_appeal_period(world):
    run = served(world)
    run.complete(
        "issue_provisional_certificate",
        certificate_issued_date="2026-11-27",
        certificate_valid_until="2027-02-27",
    )
    run.complete("check_residence_obligation")
    assert run.timer_date("timer_appeal_end") == "2026-12-08"
    assert "issue_residence_permit" not in run.ready()
    run.fire("timer_appeal_end")
    assert "issue_residence_permit" in run.ready()


def test_application_not_filed_in_time_prompts_the_case_manager(world):
    run = served(world)
    assert run.timer_date("timer_application_reminder") == "2026-12-15"
    run.fire("timer_application_reminder")
    assert "chase_application" in run.ready() and "help_file_application" in run.ready()
    run.complete("chase_application", chase_note="Termin am Montag")
    run.complete("help_file_application", **DOCS)
    assert "help_file_application" not in run.ready()


def test_approved_application_starts_interview_and_payment_reconciliation(world):
    run = served(world)
    through_parallel_work(run)
    assert run.ready() == ["decide_application"]
    run.complete("decide_application", application_decision="approved", approved_from="2026-12-01")
    assert run.ready() == ["first_interview", "reconcile_payments"]
    run.complete("reconcile_payments", overlap_amount=0)
    run.complete("first_interview", interview_date="2026-12-10")
    assert run.completed


def test_missing_documents_go_back_to_the_case_manager_and_then_to_the_jobcenter_again(world):
    run = served(world)
    through_parallel_work(run)
    run.complete(
        "decide_application", application_decision="missing_documents", missing_documents="Kontoauszüge"
    )
    assert run.ready() == ["submit_missing_documents"]
    run.complete("submit_missing_documents", documents_submitted_date="2026-12-05")
    assert run.ready() == ["decide_application"]


def test_rejection_is_reviewed_by_the_case_manager(world):
    run = served(world)
    through_parallel_work(run)
    run.complete("decide_application", application_decision="rejected")
    run.complete("review_rejection", objection_filed=True)
    assert run.completed


def test_no_jobcenter_decision_by_day_ten_escalates_the_gap_to_coordination(world):
    run = served(world)
    through_parallel_work(run)
    assert run.timer_date("timer_gap_alarm") == "2026-12-11"
    run.fire("timer_gap_alarm")
    assert run.ready() == ["decide_application", "escalate_gap"]
    assert run.offices(["escalate_gap"]) == {"kim_coord"}
    run.complete("escalate_gap", escalation_note="Vorschuss vereinbart")
    run.complete("decide_application", application_decision="approved", approved_from="2026-12-01")
    assert run.ready() == ["first_interview", "reconcile_payments"]


def test_person_unable_to_work_goes_to_sgb_xii_at_the_sozialamt(world):
    run = served(world, able_to_work=False, protection_type="deportation_ban_60")
    assert run.data["target_office"] == "sgb12"
    through_parallel_work(run)
    assert run.ready() == ["decide_sgb12"]
    run.complete("decide_sgb12", sgb12_approved_from="2026-12-01")
    assert run.completed
