"""The retention sweep anonymises closed cases once their period has ended; statistics survive."""

import datetime as dt
import json

from sqlalchemy import func, select

from engine.core import clock
from engine.store import audit
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.bpmn_builder import linear
from workflows import retention
from workflows.cases import consent
from workflows.cases import files as cases
from workflows.cases.models import Case, CaseDocument

CLOSED = dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
PERSON = {"given_name": "Amal", "family_name": "Haddad", "birth_date": dt.date(1990, 5, 1), "nationality": "SY",
          "languages": ["ar"], "household": [{"given_name": "Sami", "age": 7}], "residence_status": "§25(2)",
          "referral_source": "Migrationsberatung"}
DATA = {"given_name": "Amal", "birth_date": "1990-05-01", "household_size": 3, "interpreter_needed": True,
        "municipality": "kaarst", "concern": "Frau Haddad braucht Hilfe", "members": [{"name": "Sami"}]}


def closed_case(db, engine, system, *, retention_until: dt.date) -> tuple[str, list[int]]:
    """Open a case with person data, notes, a document, a consent and two instances; close it."""
    with clock.frozen(CLOSED), db.unit_of_work() as session:
        ref = cases.open_case(session, actor="cm", area="kaarst", **PERSON).case_ref
        cases.set_profile(session, ref, "arbeit", {"work_status": "Bäckerei Schmitz", "hours": 20}, actor="cm")
        cases.add_note(session, ref, "Frau Haddad ruft morgen an", actor="cm")
        cases.add_document(session, ref, "pass_haddad.pdf", "application/pdf", b"%PDF passport", actor="cm")
        consent.record_consent(session, ref, "abh", ["aufenthalt"], "Aufenthalt von Amal Haddad klären",
                               actor="cm", valid_from=CLOSED.date())
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    with clock.frozen(CLOSED):
        done = engine.start("p", actor=system, data=DATA, case_ref=ref)
        engine.complete(_task(db, done).id, actor=system, data={"note": "Amal Haddad geholfen"})
        running = engine.start("p", actor=system, data=DATA, case_ref=ref)
        engine.save_draft(_task(db, running).id, actor=system, data={"note": "Entwurf über Amal"})
    with clock.frozen(CLOSED), db.unit_of_work() as session:
        cases.close_case(session, ref, "goals_met", actor="cm", retention_until=retention_until)
    return ref, [done, running]


def _task(db, instance_id: int) -> HumanTask:
    with db.reading() as session:
        return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.status == "open")).one()


def _case(db, ref: str) -> Case:
    with db.reading() as session:
        return cases.get_case(session, ref)


def test_a_closed_case_past_its_retention_loses_the_persons_data_but_keeps_area_dates_and_reason(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    report = retention.sweep(engine, now=NOW, actor=system)
    case = _case(db, ref)
    assert report.cases == [ref] and report.anonymised == 1
    assert (case.given_name, case.family_name, case.birth_date, case.nationality) == (None, None, None, None)
    assert (case.languages, case.household, case.residence_status, case.referral_source) == ([], [], None, None)
    assert case.profile == {"arbeit": {"work_status": None, "hours": 20}}
    assert (case.area, case.status, case.closure_reason, case.closed_at) == ("kaarst", "closed", "goals_met", CLOSED)
    assert case.anonymised_at == NOW


def test_a_closed_case_whose_retention_has_not_ended_is_left_alone(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 13))
    report = retention.sweep(engine, now=NOW, actor=system)
    case = _case(db, ref)
    assert report.cases == []
    assert (case.given_name, case.anonymised_at) == ("Amal", None)


def test_open_cases_are_never_anonymised(db, engine, system):
    with db.unit_of_work() as session:
        ref = cases.open_case(session, actor="cm", area="neuss", given_name="Omar").case_ref
        cases.get_case(session, ref).retention_until = dt.date(2020, 1, 1)
    assert retention.sweep(engine, now=NOW, actor=system).cases == []
    assert _case(db, ref).given_name == "Omar"


def test_note_texts_document_contents_and_consent_purposes_are_removed_but_counted(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    retention.sweep(engine, now=NOW, actor=system)
    with db.reading() as session:
        notes = cases.list_notes(session, ref)
        document = session.scalars(select(CaseDocument).where(CaseDocument.case_ref == ref)).one()
        consents = consent.list_consents(session, ref)
        assert [n.text for n in notes] == [""]
        assert (document.content, document.size, document.filename) == (b"", 0, f"dokument-{document.id}")
        assert cases.get_document(session, ref, document.id, actor="cm").content == b""  # checksum still fits
        assert [(c.office, c.purpose, c.data_categories) for c in consents] == [("abh", "", ["aufenthalt"])]


def test_instance_data_is_scrubbed_and_show_still_works_for_finished_and_running_instances(db, engine, system):
    ref, (done, running) = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    report = retention.sweep(engine, now=NOW, actor=system)
    for instance_id in (done, running):
        data = engine.show(instance_id).data
        assert (data["given_name"], data["birth_date"], data["concern"], data["members"]) == (None, None, None, None)
        assert (data["household_size"], data["interpreter_needed"], data["municipality"]) == (3, True, "kaarst")
        with db.reading() as session:
            assert "Amal" not in session.get(ProcessInstance, instance_id).state
    assert engine.show(done).status == "completed" and report.still_running == [running]


def test_task_drafts_of_the_case_are_dropped(db, engine, system):
    ref, (_, running) = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    retention.sweep(engine, now=NOW, actor=system)
    assert _task(db, running).draft is None
    _, shown = engine.task_form(_task(db, running).id)
    assert "Amal" not in json.dumps(shown, default=str)


def test_each_anonymised_case_gets_one_audit_line_with_legal_basis_and_counts_only(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    retention.sweep(engine, now=NOW, actor=system)
    retention.sweep(engine, now=NOW + dt.timedelta(days=1), actor=system)
    with db.reading() as session:
        lines = [e for e in audit.events(session, case_ref=ref) if e.action == "case_anonymised"]
    assert [(e.legal_basis, e.actor, e.at, e.details) for e in lines] == [
        ("Löschfrist abgelaufen", system.name, NOW, {"instances": 2, "notes": 1, "documents": 1})]


def test_no_audit_line_of_the_case_names_the_person(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    retention.sweep(engine, now=NOW, actor=system)
    with db.reading() as session:
        details = json.dumps([e.details for e in audit.events(session, case_ref=ref)], ensure_ascii=False)
    assert not any(word in details for word in ("Amal", "Haddad", "1990-05-01", "Sami", "Bäckerei"))


def test_a_dry_run_lists_the_due_cases_without_changing_anything(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    report = retention.sweep(engine, now=NOW, actor=system, dry_run=True)
    assert (report.cases, report.anonymised) == ([ref], 0)
    assert _case(db, ref).given_name == "Amal"
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "case_anonymised")) == 0


def test_the_sweep_finishes_a_case_whose_names_a_service_task_already_blanked(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    with db.unit_of_work() as session:
        case = cases.get_case(session, ref)
        case.given_name, case.anonymised_at = None, CLOSED
    assert retention.sweep(engine, now=NOW, actor=system).cases == [ref]
    with db.reading() as session:
        assert [n.text for n in cases.list_notes(session, ref)] == [""]


def test_retention_ends_on_the_local_day_the_period_runs_out():
    late_evening = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)  # already 1 February in Neuss
    assert retention.retention_end(late_evening, "P3Y") == dt.date(2029, 2, 1)
    assert retention.retention_end(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), "P1M") == dt.date(2026, 4, 1)


def test_a_sweep_with_only_a_database_works_too(db, engine, system):
    ref, _ = closed_case(db, engine, system, retention_until=dt.date(2026, 3, 1))
    assert retention.sweep(db, now=NOW, actor="retention").cases == [ref]
