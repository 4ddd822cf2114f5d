"""The case file's combined reads: notes with documents, tasks with their reminders; each as the separate reads."""

import datetime as dt

from sqlalchemy import inspect

from engine.core import clock
from engine.identity import org
from tests.workflows.conftest import REFERRAL, complete, start_case, to_monitoring
from workflows.cases import files as cases
from workflows.cases import lateness
from workflows.cases.models import TaskReminder
from workflows.cases.plan import current_plan

NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def _case(db) -> str:
    with clock.frozen(NOW), db.unit_of_work() as session:
        return cases.open_case(session, actor="cm", area="kaarst", given_name="Amal", family_name="Haddad").case_ref


def test_notes_and_documents_come_in_one_read_newest_first_and_without_the_file_content(db):
    ref, other = _case(db), _case(db)
    with db.unit_of_work() as session:
        for hours, text in enumerate(["Erstgespräch geführt", "Dolmetscher bestellt"]):
            with clock.frozen(NOW + dt.timedelta(hours=hours)):
                cases.add_note(session, ref, text, actor="cm")
                cases.add_document(session, ref, f"d{hours}.pdf", "application/pdf", b"%PDF" * (hours + 1),
                                   actor="cm")
        cases.add_note(session, other, "anderer Fall", actor="cm")
    with db.reading() as session:
        notes, documents = cases.notes_and_documents(session, ref)
        assert [(n.text, n.author) for n in notes] == [(n.text, n.author) for n in cases.list_notes(session, ref)]
        assert [n.text for n in notes] == ["Dolmetscher bestellt", "Erstgespräch geführt"]
        listed = cases.list_documents(session, ref)
        assert [(d.id, d.filename, d.size, d.sha256, d.uploaded_at) for d in documents] == [
            (d.id, d.filename, d.size, d.sha256, d.uploaded_at) for d in listed]
        assert [d.filename for d in documents] == ["d1.pdf", "d0.pdf"] and documents[0].size == 8
        assert not hasattr(documents[0], "content")
        # The ORM list leaves the bytes unloaded too; the download loads them.
        assert "content" in inspect(listed[0]).unloaded
        assert cases.get_document(session, ref, listed[0].id, actor="cm").content == b"%PDF%PDF"
        assert cases.notes_and_documents(session, "K-2026-09999") == ([], [])


def test_tasks_come_with_the_reminders_sent_for_them_in_the_cases_order(kim):
    ref, other = start_case(kim, "neuss"), start_case(kim, "neuss")
    complete(kim, ref, "record_referral", municipality="neuss", **REFERRAL)
    with kim.db.unit_of_work() as session:
        first, second = cases.tasks_of_case(session, ref)
        for days, task in [(2, first), (0, first), (1, second), (0, cases.tasks_of_case(session, other)[0])]:
            at = NOW + dt.timedelta(days=days)
            session.add(TaskReminder(task_id=task.id, case_ref=task.case_ref, unit="u", office="o", sent_by="cm",
                                     sent_at=at, sent_on=at.date()))
    with kim.db.reading() as session:
        tasks, reminders = lateness.tasks_with_reminders(session, ref)
        assert [t.id for t in tasks] == [t.id for t in cases.tasks_of_case(session, ref)] == [first.id, second.id]
        assert [r.id for r in reminders] == [r.id for r in lateness.case_reminders(session, ref)]
        assert [(r.task_id, r.sent_at) for r in reminders] == [
            (first.id, NOW), (second.id, NOW + dt.timedelta(days=1)), (first.id, NOW + dt.timedelta(days=2))]


def test_the_plan_is_derived_from_the_cases_tasks_and_needs_no_read_without_a_kim_case_task(kim):
    ref = start_case(kim, "neuss")
    to_monitoring(kim, ref, "neuss", requests={"request_abh": True, "measure_abh": "Titel verlängern"})
    with kim.db.reading() as session:
        tasks = cases.tasks_of_case(session, ref)

        def data(instance):
            return kim.show_in(session, instance).data

        plan = current_plan(session, ref, tasks, data)
        assert plan is not None and ("goal_target", "Arbeit") in plan.goals
        [measure] = plan.measures
        assert (measure.office, measure.measure, measure.status) == ("abh", "Titel verlängern", "open")
        assert measure.unit_name == org.unit_names(session)[tasks[-1].unit]
        # Only kim_case's tasks point to a plan: none among them, no instance is read.
        assert current_plan(session, ref, [t for t in tasks if t.process_id != "kim_case"], _unread) is None


def _unread(_instance):
    raise AssertionError("read")
