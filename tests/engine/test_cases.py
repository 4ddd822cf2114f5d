"""Cases: references, person data, notes, documents, the deadline register and open tasks."""

import datetime as dt
import hashlib

import pytest

from engine.core import clock
from engine.core.errors import NotFound
from engine.store.models import HumanTask
from tests.engine.test_routing import fan_out_bpmn, make_staff, routed  # noqa: F401 - fixture
from workflows.cases import files as cases

NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def open_case(db, area="kaarst", **person):
    with clock.frozen(NOW), db.unit_of_work() as session:
        return cases.open_case(session, actor="cm", area=area, given_name="Amal", family_name="Haddad",
                               **person).case_ref


def test_case_references_are_pseudonymous_and_numbered_per_year(db):
    refs = [open_case(db), open_case(db)]
    with clock.frozen(dt.datetime(2027, 1, 2, tzinfo=dt.UTC)), db.unit_of_work() as session:
        refs.append(cases.open_case(session, actor="cm", area="neuss").case_ref)
    assert refs == ["K-2026-00001", "K-2026-00002", "K-2027-00001"]


def test_unknown_person_fields_are_refused(db):
    with db.unit_of_work() as session, pytest.raises(cases.CaseError, match="shoe_size"):
        cases.open_case(session, actor="cm", area="kaarst", shoe_size=42)


def test_profile_data_is_merged_per_category(db):
    ref = open_case(db, birth_date=dt.date(1990, 5, 1), languages=["ar", "de"])
    with db.unit_of_work() as session:
        cases.set_profile(session, ref, "leistungen", {"law": "AsylbLG"}, actor="cm")
        cases.set_profile(session, ref, "leistungen", {"file_number": "S-1"}, actor="cm")
        with pytest.raises(cases.CaseError):
            cases.set_profile(session, ref, "hobbys", {"x": 1}, actor="cm")
    with db.reading() as session:
        case = cases.get_case(session, ref)
        assert case.profile == {"leistungen": {"law": "AsylbLG", "file_number": "S-1"}}
        assert (case.birth_date, case.languages) == (dt.date(1990, 5, 1), ["ar", "de"])


def test_documents_are_stored_with_size_and_checksum_and_lists_skip_the_content(db):
    ref = open_case(db)
    content = b"%PDF-1.7 Aufenthaltstitel"
    with db.unit_of_work() as session:
        doc_id = cases.add_document(session, ref, "titel.pdf", "application/pdf", content, actor="cm").id
    with db.unit_of_work() as session:
        listed = cases.list_documents(session, ref)
        assert [(d.filename, d.size, d.sha256) for d in listed] == [
            ("titel.pdf", len(content), hashlib.sha256(content).hexdigest())]
        assert cases.get_document(session, ref, doc_id, actor="cm").content == content
        with pytest.raises(NotFound):
            cases.get_document(session, "K-2026-09999", doc_id, actor="cm")


def test_notes_are_listed_newest_first(db):
    ref = open_case(db)
    with db.unit_of_work() as session:
        with clock.frozen(NOW):
            cases.add_note(session, ref, "Erstgespräch geführt", actor="cm")
        with clock.frozen(NOW + dt.timedelta(hours=1)):
            cases.add_note(session, ref, "Dolmetscher bestellt", actor="cm")
    with db.reading() as session:
        assert [n.text for n in cases.list_notes(session, ref)] == ["Dolmetscher bestellt", "Erstgespräch geführt"]


def test_deadline_reminders_come_once_on_their_day_and_not_after_completion(db):
    ref = open_case(db)
    with db.unit_of_work() as session:
        permit = cases.add_deadline(session, ref, "document_expiry", "Aufenthaltstitel läuft ab",
                                    dt.date(2026, 6, 30), actor="cm", remind_on=dt.date(2026, 5, 31),
                                    source=(7, "assessment"))
        course = cases.add_deadline(session, ref, "course", "Integrationskurs anmelden", dt.date(2026, 4, 1),
                                    actor="cm", remind_on=dt.date(2026, 3, 20))
        cases.add_deadline(session, ref, "review", "Hilfeplan prüfen", dt.date(2026, 9, 1), actor="cm")
    with db.unit_of_work() as session:
        assert cases.due_reminders(session, dt.date(2026, 3, 19)) == []
        assert [d.id for d in cases.due_reminders(session, dt.date(2026, 6, 1))] == [course.id, permit.id]
        cases.mark_reminded(session, [course.id])
        cases.complete_deadline(session, permit.id, actor="cm")
    with db.reading() as session:
        assert cases.due_reminders(session, dt.date(2026, 6, 1)) == []
        assert [d.label for d in cases.list_deadlines(session, ref, open_only=True)] == [
            "Integrationskurs anmelden", "Hilfeplan prüfen"]
        assert cases.list_deadlines(session, ref)[1].source_element_id == "assessment"


@pytest.mark.usefixtures("routed")
def test_case_tasks_lists_open_tasks_of_every_office_with_unit_and_holder(db, engine, system):
    ref = open_case(db, area="dormagen")
    with db.unit_of_work() as session:
        make_staff(session, {"j.berg": "jobcenter_rkn"})
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()}, actor=system)
    engine.start("fan_out", actor=system, case_ref=ref)
    with db.reading() as session:
        job = session.query(HumanTask).filter_by(office="jobcenter").one()
    engine.claim(job.id, actor=system.__class__("j.berg", units=frozenset({"jobcenter_rkn"})))
    with db.reading() as session:
        tasks = {t.office: (t.unit_name, t.holder, t.status) for t in cases.case_tasks(session, ref)}
    assert tasks["jobcenter"] == ("Jobcenter Rhein-Kreis Neuss", "J.Berg", "claimed")
    assert tasks["abh"] == ("ABH Dormagen", None, "open")
    assert len(tasks) == 5


def test_closing_records_reason_and_retention_and_cannot_happen_twice(db):
    ref = open_case(db)
    with db.unit_of_work() as session:
        cases.close_case(session, ref, "naturalised", actor="cm", retention_until=dt.date(2031, 12, 31))
    with db.unit_of_work() as session:
        case = cases.get_case(session, ref)
        assert (case.status, case.closure_reason, case.retention_until) == ("closed", "naturalised",
                                                                            dt.date(2031, 12, 31))
        with pytest.raises(cases.CaseError, match="bereits"):
            cases.close_case(session, ref, "moved_away", actor="cm")
