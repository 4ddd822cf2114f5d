"""The case cycle starts the follow-up processes for its person and their results flow back into the case."""

from sqlalchemy import select

from engine.store.models import ProcessInstance
from tests.workflows.conftest import SYSTEM, complete, open_tasks, start_case, to_monitoring
from workflows.cases import files as cases

REVIEW = {"review_result": "on_track", "next_step": "continue", "next_review_date": "2030-01-01"}
ELIGIBLE = {"residence_basis": "settled", "lawful_residence_months": 72, "german_level": "b1",
            "naturalisation_test_passed": True, "self_supporting": True, "identity_clarified": True,
            "relevant_convictions": False, "applicant_age": 30}


def review_with_follow_up(engine, case_ref: str, follow_up: str) -> None:
    """Report a status change (the case waits in monitoring) and start `follow_up` from the review."""
    engine.correlate("case_status_changed", actor=SYSTEM, payload={"event": "protection_granted"}, case_ref=case_ref)
    complete(engine, case_ref, "review_goals", follow_up_process=follow_up, **REVIEW)


def instances(engine, case_ref: str) -> dict[str, str]:
    with engine.db.reading() as session:
        return {r.process_id: r.status for r in session.scalars(
            select(ProcessInstance).where(ProcessInstance.case_ref == case_ref))}


def test_a_review_starts_a_benefit_transfer_for_the_case_routed_to_its_municipality(kim):
    case_ref = start_case(kim, "grevenbroich")
    to_monitoring(kim, case_ref, "grevenbroich")
    review_with_follow_up(kim, case_ref, "benefit_transfer")
    assert instances(kim, case_ref) == {"kim_case": "running", "benefit_transfer": "running"}
    first = [t for t in open_tasks(kim, case_ref) if t.process_id == "benefit_transfer"]
    assert [(t.element_id, t.unit) for t in first] == [("record_decision", "kim_cm_grevenbroich")]


def test_an_approved_benefit_transfer_keeps_its_outcome_in_the_case_file(kim):
    case_ref = start_case(kim, "kaarst")
    to_monitoring(kim, case_ref, "kaarst")
    review_with_follow_up(kim, case_ref, "benefit_transfer")
    complete(kim, case_ref, "record_decision", protection_type="refugee_3", decision_date="2026-01-05",
             service_date="2026-01-08", municipality="kaarst", household_size=1, protected_members=1)
    while any(t.process_id == "benefit_transfer" for t in open_tasks(kim, case_ref)):
        human = next(t for t in open_tasks(kim, case_ref) if t.process_id == "benefit_transfer")
        complete(kim, case_ref, human.element_id, application_decision="approved", approved_from="2026-02-01")
    with kim.db.reading() as session:
        outcome = cases.get_case(session, case_ref).profile["verfahren"]["benefit_transfer"]
    assert instances(kim, case_ref)["benefit_transfer"] == "completed"
    assert outcome["application_decision"] == "approved"


def test_a_completed_naturalisation_closes_the_case_with_reason_naturalised(kim):
    case_ref = start_case(kim, "neuss")
    to_monitoring(kim, case_ref, "neuss")
    review_with_follow_up(kim, case_ref, "naturalisation")
    answers = {**ELIGIBLE, "municipality": "neuss", "application_complete": True, "security_result": "no_findings",
               "register_result": "no_entries", "naturalisation_decision": "approved", "handover_date": "2026-06-01"}
    while instances(kim, case_ref)["naturalisation"] == "running":
        human = next(t for t in open_tasks(kim, case_ref) if t.process_id == "naturalisation")
        assert human.unit is None or human.unit.endswith("neuss")
        complete(kim, case_ref, human.element_id, **answers)
    closing = [t.element_id for t in open_tasks(kim, case_ref)]
    assert closing == ["close_case"]
    _, data = kim.task_form(open_tasks(kim, case_ref)[0].id)
    complete(kim, case_ref, "close_case", closure_reason=data["closure_reason"], final_assessment="eingebürgert")
    with kim.db.reading() as session:
        case = cases.get_case(session, case_ref)
        assert (case.status, case.closure_reason) == ("closed", "naturalised")
