"""The case list and the person search: only the cases need-to-know allows, tolerant of spelling, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from engine.store.models import AuditEvent, HumanTask
from tests.web.cases_scene import seed_two_cases
from workflows.cases.models import Case


@pytest.fixture
def cases(services, restore_template):
    """A Neuss case (consent for the Sozialamt and the ABH) and a Kaarst case, one per case manager."""
    return restore_template("cases_two", seed_two_cases, services.db)


def _audit(services, actor: str, action: str) -> list[dict]:
    with services.db.reading() as session:
        return [e.details for e in session.scalars(select(AuditEvent).where(
            AuditEvent.actor == actor, AuditEvent.action == action))]


def test_the_case_manager_lists_her_cases_with_stage_and_name(cases, login):
    html = login("c.neuss").get("/faelle").data.decode()
    assert cases["neuss"] in html and "Al-Hassan, Mohammed" in html and "Zuweisung erfassen" in html
    assert cases["kaarst"] not in html


def test_a_kaarst_case_manager_sees_no_neuss_case_in_list_or_search(cases, login):
    client = login("c.kaarst")
    assert cases["neuss"] not in client.get("/faelle?ansicht=unit&status=").data.decode()
    assert cases["neuss"] not in client.get("/personen?name=Mohammed").data.decode()
    assert "0 Treffer" in client.get(f"/personen?fallnummer={cases['neuss']}").data.decode()
    assert cases["kaarst"] in client.get("/personen?name=Mueller").data.decode()


def test_a_sozialamt_clerk_of_kaarst_sees_no_neuss_case_although_neuss_has_consent(cases, login):
    client = login("s.kaarst")
    assert cases["neuss"] not in client.get("/faelle?ansicht=unit").data.decode()
    assert cases["neuss"] not in client.get("/personen?name=Al-Hassan").data.decode()


def test_the_neuss_sozialamt_finds_the_consented_case_with_its_name(cases, login):
    html = login("s.neuss").get("/personen?name=Muhammad+Al+Hasan").data.decode()
    assert cases["neuss"] in html and "Al-Hassan, Mohammed" in html


def test_the_search_tolerates_spelling_and_combines_birth_date_and_case_number(cases, login):
    client = login("c.neuss")
    for query in ("name=Muhammad", "name=al+hasan", "geburtsdatum=17.05.1990", f"fallnummer={cases['neuss']}",
                  "name=Mohamed&geburtsdatum=1990-05-17"):
        assert cases["neuss"] in client.get(f"/personen?{query}").data.decode(), query
    assert cases["neuss"] not in client.get("/personen?name=Mohamed&geburtsdatum=1990-05-18").data.decode()


def test_every_search_is_audited_with_codes_and_never_the_text(cases, login, services):
    login("c.neuss").get("/personen?name=Muhammad&geburtsdatum=1990-05-17")
    [details] = _audit(services, "c.neuss", "person_searched")
    assert details == {"criteria": ["name", "birth_date"], "results": 1}
    assert "Muhammad" not in str(details)


def test_reading_the_list_is_audited(cases, login, services):
    login("c.neuss").get("/faelle")
    assert _audit(services, "c.neuss", "case_list_viewed")[-1]["results"] == 1


def test_overdue_filter_and_flags_show_late_work(cases, login, services):
    with services.db.unit_of_work() as session:
        session.execute(update(HumanTask).values(due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    client = login("c.neuss")
    html = client.get("/faelle?ueberfaellig=1").data.decode()
    assert cases["neuss"] in html and "1 Aufgabe" in html
    with services.db.unit_of_work() as session:
        session.execute(update(HumanTask).values(due_at=None))
    assert cases["neuss"] not in client.get("/faelle?ueberfaellig=1").data.decode()


def test_closed_cases_appear_only_when_asked_for(cases, login, services):
    with services.db.unit_of_work() as session:
        session.execute(update(Case).values(status="closed"))
    client = login("c.neuss")
    assert cases["neuss"] not in client.get("/faelle").data.decode()
    assert cases["neuss"] in client.get("/faelle?status=closed").data.decode()


def test_a_bad_birth_date_is_reported_and_nothing_is_searched(cases, login, services):
    html = login("c.neuss").get("/personen?geburtsdatum=31.02.1990").data.decode()
    assert 'id="geburtsdatum-error"' in html
    assert _audit(services, "c.neuss", "person_searched") == []


def _plans_while(services, call) -> list[str]:
    """Run `call` and return SQLite's query plan lines of every statement it sent that reads kim_case."""
    from sqlalchemy import event

    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "kim_case" in statement:
            sent.append((statement, parameters))

    event.listen(services.db.engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", keep)
    plans = []
    with services.db.engine.connect() as connection:
        for statement, parameters in sent:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans += [row[-1] for row in rows]
    return plans


@pytest.mark.parametrize("user, path", [
    ("c.neuss", "/faelle?ansicht=unit"), ("c.kaarst", "/faelle?ansicht=unit&sort=case_ref&status="),
    ("c.neuss", "/faelle"), ("c.neuss", "/faelle?ansicht=unit&ueberfaellig=1"),
    ("s.neuss", "/faelle?ansicht=unit"), ("s.kaarst", "/faelle?ansicht=unit"),
    ("c.neuss", "/personen?name=Muhammad"), ("s.kaarst", "/personen?name=Mueller&geburtsdatum=01.02.1985"),
])
def test_the_list_and_the_search_never_read_every_case(cases, login, services, user, path):
    if services.db.is_postgres:
        pytest.skip("the plan lines are SQLite's; PostgreSQL plans by table statistics")
    client = login(user)
    plans = _plans_while(services, lambda: client.get(path))
    assert plans, "no statement read kim_case"
    assert not [p for p in plans if p.startswith("SCAN kim_case")], plans
    # Nor every (open) task: each way a task makes a case visible (unit, office, assignee, candidate, claimant)
    # seeks its own index; one OR of them read all of human_task, or every task of a status.
    assert not [p for p in plans if p.startswith("SCAN human_task") or p.endswith("(status=?)")], plans
