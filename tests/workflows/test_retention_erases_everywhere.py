"""After retention nothing anywhere names the person: every table and column, the upload store and the logs."""

import datetime as dt
import json
import logging
import threading

from sqlalchemy import func, inspect, select, text

from engine.core import clock
from engine.store.db import Base
from tests.workflows.conftest import SYSTEM, complete, start_case, to_monitoring
from workflows import retention
from workflows.cases import files as cases
from workflows.cases.models import DeletionRecord
from workflows.steering.models import SteeringFact

GIVEN, FAMILY, BORN = "Xylophina", "Quarkenbusch", "1979-11-23"
NEEDLES = (GIVEN, FAMILY, BORN, "23.11.1979")


def closed_case_of_a_distinct_person(kim) -> str:
    """Walk a full KIM case for the person, naming her in business key, notes, documents and free text."""
    case_ref = start_case(kim, "kaarst", given_name=GIVEN, family_name=FAMILY, birth_date=BORN)
    to_monitoring(kim, case_ref, "kaarst")
    with kim.db.unit_of_work() as session:
        cases.add_note(session, case_ref, f"Gespräch mit {GIVEN} {FAMILY}, geb. {BORN}", actor="cm")
        cases.add_document(session, case_ref, f"{FAMILY}.pdf", "application/pdf", f"%PDF {FAMILY}".encode(),
                           actor="cm")
    kim.correlate("case_status_changed", actor=SYSTEM, payload={"event": "job_found", "who": FAMILY},
                  case_ref=case_ref)
    complete(kim, case_ref, "review_goals", next_step="close", review_result="on_track",
             next_review_date="2030-01-01")
    complete(kim, case_ref, "close_case", closure_reason="moved_away", final_assessment=f"{FAMILY} ist verzogen")
    return case_ref


def findings(db) -> list[str]:
    """Return "table.column" for every stored value that contains one of the needles."""
    found = []
    with db.reading() as session:
        for table in Base.metadata.sorted_tables:
            if not inspect(session.bind).has_table(table.name):
                continue
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    shown = value.decode("latin-1") if isinstance(value, bytes) else json.dumps(value, default=str)
                    found += [f"{table.name}.{column}" for n in NEEDLES if n in shown]
    return found


def statistics(db):
    with db.reading() as session:
        return sorted(map(tuple, session.execute(select(SteeringFact.kind, SteeringFact.area, func.count())
                                                 .group_by(SteeringFact.kind, SteeringFact.area))))


def test_after_the_sweep_no_table_column_file_or_log_names_the_person(kim, caplog):
    caplog.set_level(logging.DEBUG)
    case_ref = closed_case_of_a_distinct_person(kim)
    assert findings(kim.db)  # the search finds her before the sweep, so it can find her after
    before = statistics(kim.db)
    report = retention.sweep(kim, now=clock.now() + dt.timedelta(days=400))
    assert report.cases == [case_ref]
    assert findings(kim.db) == []
    assert not any(n in caplog.text for n in NEEDLES)
    assert statistics(kim.db) == before


def test_the_sweep_writes_one_deletion_record_with_categories_time_and_legal_basis(kim):
    case_ref = closed_case_of_a_distinct_person(kim)
    later = clock.now() + dt.timedelta(days=400)
    retention.sweep(kim, now=later)
    retention.sweep(kim, now=later + dt.timedelta(days=1))
    with kim.db.reading() as session:
        records = retention.deletion_records(session)
    assert [(r.case_ref, r.legal_basis) for r in records] == [(case_ref, retention.LEGAL_BASIS)]
    assert {"stammdaten", "notizen", "dokumente"} <= set(records[0].categories)


def test_three_workers_sweeping_at_once_anonymise_a_case_once(kim):
    closed_case_of_a_distinct_person(kim)
    later = clock.now() + dt.timedelta(days=400)
    reports = []
    workers = [threading.Thread(target=lambda: reports.append(retention.sweep(kim, now=later))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with kim.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(DeletionRecord)) == 1
        anonymised = session.scalar(text("select count(*) from audit_event where action = 'case_anonymised' "
                                         "and legal_basis = :basis"), {"basis": retention.LEGAL_BASIS})
    assert anonymised == 1
    assert sum(r.anonymised for r in reports) == 1
