"""Every route x every demo role x objects of the own and of another municipality or unit: zero leaks.

Two residents, one of Neuss and one of Kaarst, each with a case file (consent, note, document, deadline), an
open task and a completed one, and a process instance. Every demo account below opens every route of the app
with the objects of both cases. A user without need-to-know for a case gets 404 (403 from the role check where a
route says so), the refusal is audited, and they never see a word of that person (name, birth date, note,
document name, who completed what). A route the matrix does not know fails the test, so a new route has to
be placed here before it ships.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, Rule

from engine.core.actors import Actor
from engine.identity.models import User
from engine.store.models import HumanTask
from tests.web.cases_scene import seed_permit_waiting
from tests.web.scenario import fill
from workflows.cases import files as cases
from workflows.cases.consent import record_consent
from workflows.cases.models import Consent
from workflows.demo.users import ensure_users

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_FOUND = (403, 404)

# What each endpoint is about: "case" (a case file, by case_ref), "task" (a human task, by task_id),
# "instance" (a process instance of the management screens), "global" (no object of a person: lists, search,
# administration, designer, operations) and "public". New routes must be placed here.
ROUTES = {
    "auth.login": "public", "auth.logout": "global", "auth.change_password": "global", "auth.language": "public",
    "auth.accessibility": "public", "auth.sso_start": "public", "auth.sso_callback": "public",
    "auth.second_factor": "public", "auth.emergency_sign_in": "public", "auth.enrol_second_factor": "global",
    "ops.healthz": "public", "ops.readyz": "public", "ops.metrics": "public",
    "staff.home": "global", "staff.inbox": "global",
    "staff.task": "task", "staff.task_diagram": "task", "staff.claim": "task", "staff.unclaim": "task",
    "staff.delegate": "task", "staff.task_dates": "task", "staff.completed_task": "task",
    "staff.case_file": "case", "staff.upload": "case", "staff.download": "case", "staff.add_consent": "case",
    "staff.revoke": "case", "staff.deadline_done": "case", "staff.add_note": "case", "staff.deadline_close": "case",
    "staff.send_reminder": "case",
    "cases.case_list": "global", "cases.person_search_page": "global", "cases.intake_form": "global",
    "cases.case_messages": "case", "cases.record_message": "case", "cases.continue_case": "case",
    "cases.case_start_list": "case", "cases.case_start_process": "case", "cases.start_list": "global",
    "cases.start_process": "global",
    "manage.index": "global", "manage.heatmap_view": "global", "manage.heatmap_diagram": "global",
    "manage.incidents": "global", "manage.instances": "global", "manage.instance": "instance",
    "manage.act": "instance", "manage.incident": "instance", "manage.incident_retry": "instance",
    "manage.incident_skip": "instance", "manage.report": "global", "manage.report_xlsx": "global",
    "manage.report_csv": "global",
    "designer.library": "global", "designer.edit": "global", "designer.download": "global",
    "designer.discard": "global", "designer.deploy_draft": "global", "designer.save_draft": "global",
    "designer.validate_draft": "global", "designer.source": "global", "designer.migration_progress": "global",
    "designer.dry_run": "global", "designer.run_scenarios": "global", "designer.diff_data": "global",
    "designer.upload": "global", "designer.create": "global", "designer.migration": "global",
    "designer.diff": "global",
    "admin.index": "global", "admin.users": "global", "admin.user": "global", "admin.unlock_user": "global",
    "admin.reset_password": "global", "admin.add_membership": "global", "admin.remove_membership": "global",
    "admin.add_deputy": "global", "admin.remove_deputy": "global", "admin.privacy": "global",
    "admin.access_log": "global", "admin.units": "global", "admin.responsibilities": "global",
    "admin.group_mappings": "global", "admin.delete_group_mapping": "global", "admin.reset_second_factor": "global",
    "api_admin.accounts": "global", "api_admin.create_account": "global", "api_admin.issue_token": "global",
    "api_admin.revoke_token": "global",
}
# Who may know each case (the demo accounts): its case management, the offices its consents name for the
# person's municipality, the district's KIM coordination (full access by its office) and the administrator.
NEED_TO_KNOW = {
    "neuss": {"kim-cm-neuss", "sozialamt-neuss", "abh-neuss", "kim-coord", "admin"},
    "kaarst": {"kim-cm-kaarst", "sozialamt-kaarst", "kim-coord", "admin"},
}
# Who may open each case's open task: the members of the task's unit.
TASK_UNIT = {"neuss": {"kim-cm-neuss"}, "kaarst": {"kim-cm-kaarst"}}
# Who may also read a completed task of the case (read-only): whoever has the case's full view.
FULL_VIEW = {"neuss": {"kim-cm-neuss", "kim-coord", "admin"}, "kaarst": {"kim-cm-kaarst", "kim-coord", "admin"}}
READ_ONLY_TASK_VIEWS = {"staff.completed_task"}
USERS = ("kim-cm-neuss", "kim-cm-kaarst", "sozialamt-neuss", "sozialamt-kaarst", "sozialamt-dormagen", "abh-neuss",
         "abh-dormagen", "abh-kreis", "jobcenter-rkn", "kim-coord", "leitung", "designer", "admin")
SEES_INSTANCE_DATA = {"admin"}  # the management instance page shows the variables to administrators (audited)
MONITORS = {"leitung"}  # monitoring lists every instance with its case number (a pseudonym), never a name


@dataclass(frozen=True)
class Person:
    """One resident's case and its objects, and the words of that person that must not leak."""

    area: str
    case_ref: str
    open_task: str
    done_task: str
    instance_id: int
    document_id: int
    consent_id: int
    deadline_id: int
    secrets: tuple[str, ...]
    completer: tuple[str, ...]  # who completed done_task: told only to the task's unit


def _person_objects(session, case_ref: str, area: str, names: tuple[str, str], born: str, note: str) -> dict:
    given, family = names  # an empty given name is not searched for (the search help quotes "Mohammed")
    document = cases.add_document(session, case_ref, f"Bescheid-{family}.pdf", "application/pdf", PDF,
                                  actor="scenario")
    cases.add_note(session, case_ref, note, actor="scenario")
    deadline = cases.add_deadline(session, case_ref, "custom", f"Frist {family}", dt.date(2036, 1, 5),
                                  actor="scenario")
    consent_id = session.scalar(select(Consent.id).where(Consent.case_ref == case_ref))
    unit = f"kim_cm_{area}"
    open_task = session.scalars(select(HumanTask).where(HumanTask.case_ref == case_ref, HumanTask.unit == unit,
                                                        HumanTask.status == "open")).first()
    done_task = session.scalars(select(HumanTask).where(HumanTask.case_ref == case_ref, HumanTask.unit == unit,
                                                        HumanTask.completed_by == unit.replace("_", "-"))).one()
    completer = session.scalar(select(User.display_name).where(User.username == done_task.completed_by))
    return {"area": area, "case_ref": case_ref, "open_task": open_task.id, "done_task": done_task.id,
            "instance_id": open_task.instance_id, "document_id": document.id, "consent_id": consent_id,
            "deadline_id": deadline.id, "secrets": [family, given, born, note, f"Bescheid-{family}"],
            "completer": [done_task.completed_by, completer]}


def seed_matrix(database) -> dict:
    """Seed two cases (Neuss, Kaarst) with a file and tasks, and the demo accounts; return their objects."""
    from engine.service.engine import ProcessEngine
    from web.cli import kim_extensions

    refs = seed_permit_waiting(database)
    engine = ProcessEngine(database, kim_extensions())
    with engine.db.unit_of_work() as session:
        ensure_users(session)
        record_consent(session, refs["kaarst"], "sozialamt", ["stammdaten", "leistungen"], "Leistungen",
                       actor="scenario", valid_from=dt.date(2020, 1, 1))
    for ref, unit in ((refs["neuss"], "kim_cm_neuss"), (refs["kaarst"], "kim_cm_kaarst")):
        with engine.db.reading() as session:
            first = session.scalars(select(HumanTask).where(HumanTask.case_ref == ref, HumanTask.unit == unit,
                                                            HumanTask.status == "open")
                                    .order_by(HumanTask.created_at)).first()
        form, _data = engine.task_form(first.id)
        engine.complete(first.id, actor=Actor(unit.replace("_", "-"), units=frozenset({unit}),
                                              roles=frozenset({"staff"})),
                        data=fill(form, municipality=unit.removeprefix("kim_cm_")))
    with engine.db.unit_of_work() as session:
        neuss = _person_objects(session, refs["neuss"], "neuss", ("", "Al-Hassan"), "17.05.1990",
                                "Vermerk Neuss: Therapie vertraulich")
        kaarst = _person_objects(session, refs["kaarst"], "kaarst", ("Jörg", "Müller"), "01.02.1985",
                                 "Vermerk Kaarst: Schulden vertraulich")
    return {"neuss": neuss, "kaarst": kaarst}


def _person(raw: dict) -> Person:
    return Person(raw["area"], raw["case_ref"], raw["open_task"], raw["done_task"], raw["instance_id"],
                  raw["document_id"], raw["consent_id"], raw["deadline_id"], tuple(raw["secrets"]),
                  tuple(raw["completer"]))


@pytest.fixture
def people(services, restore_template) -> dict[str, Person]:
    raw = restore_template("access_matrix", seed_matrix, services.db)
    return {area: _person(value) for area, value in raw.items()}


def _client_as(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "kimflow-demo-2026"})
    assert response.status_code == 302, (username, response.status_code)
    return client


def _routes(app) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.endpoint.endswith(".static")]


def _url(app, rule: Rule, person: Person | None, **fixed: object) -> str:
    values = {}
    for name, converter in rule._converters.items():
        choices = getattr(converter, "items", None) or getattr(converter, "_items", None)
        if name in fixed:
            values[name] = fixed[name]
        elif choices:
            values[name] = sorted(choices)[0]
        elif person is not None and name in OBJECT_ARGS:
            values[name] = OBJECT_ARGS[name](person)
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x-unbekannt"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


OBJECT_ARGS = {
    "case_ref": lambda p: p.case_ref, "task_id": lambda p: p.open_task, "instance_id": lambda p: p.instance_id,
    "document_id": lambda p: p.document_id, "consent_id": lambda p: p.consent_id,
    "deadline_id": lambda p: p.deadline_id, "message": lambda p: "agency_answer",
}


def _methods(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_is_placed_in_the_matrix(app):
    unplaced = sorted({r.endpoint for r in _routes(app)} - set(ROUTES))
    assert unplaced == [], f"place these routes in tests/web/test_access_matrix.py ROUTES: {unplaced}"


def test_the_matrix_signs_in_as_every_demo_role_and_with_units_of_several_municipalities():
    from workflows.demo.users import demo_users

    accounts = {user.username: user for user in demo_users()}
    assert set(USERS) <= set(accounts)
    assert {accounts[name].role for name in USERS} == {user.role for user in accounts.values()}
    assert {"neuss", "kaarst", "dormagen", "kreis"} <= {name.rsplit("-", 1)[-1] for name in USERS}


def _rules(app, kind: str) -> list[Rule]:
    return [r for r in _routes(app) if ROUTES.get(r.endpoint) == kind]


def _leaked(body: str, words: tuple[str, ...]) -> list[str]:
    return [word for word in words if word and word in body]


def _text(response) -> str:
    return response.get_data().decode("utf-8", "replace")


@pytest.fixture
def clients(app, people) -> dict:
    return {user: _client_as(app, user) for user in USERS}


def _refusal_count(services) -> int:
    from engine.store.models import AuditEvent

    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action.in_(("access_denied", "case_access_denied"))))


def test_case_routes_refuse_everyone_without_need_to_know_and_show_them_nothing(app, people, clients, services):
    failures = []
    for rule in _rules(app, "case"):
        for area, person in people.items():
            url = _url(app, rule, person)
            for user, client in clients.items():
                for method in _methods(rule):
                    if user in NEED_TO_KNOW[area] and method != "GET":
                        continue  # the own case's changes are the feature tests' business, not the matrix's
                    refusals = _refusal_count(services)
                    response = client.open(url, method=method)
                    body = _text(response)
                    if user in NEED_TO_KNOW[area]:
                        if response.status_code >= 500:
                            failures.append((user, method, url, response.status_code))
                    elif response.status_code not in NOT_FOUND or _leaked(body, person.secrets):
                        failures.append((user, method, url, response.status_code, _leaked(body, person.secrets)))
                    elif _refusal_count(services) == refusals:
                        failures.append((user, method, url, "refusal not audited"))
    assert failures == []


def test_task_routes_refuse_other_units_for_open_and_completed_tasks_without_naming_anyone(app, people, clients,
                                                                                           services):
    failures = []
    for rule in _rules(app, "task"):
        for area, person in people.items():
            for task_id in (person.open_task, person.done_task):
                url = _url(app, rule, person, task_id=task_id)
                readers = TASK_UNIT[area] | (FULL_VIEW[area] if rule.endpoint in READ_ONLY_TASK_VIEWS else set())
                for user, client in clients.items():
                    for method in _methods(rule):
                        if user in readers:
                            if method == "GET" and client.get(url).status_code >= 500:
                                failures.append((user, method, url, "500"))
                            continue
                        refusals = _refusal_count(services)
                        response = client.open(url, method=method)
                        leaks = _leaked(_text(response), person.secrets + person.completer)
                        if response.status_code not in NOT_FOUND or leaks:
                            failures.append((user, method, url, response.status_code, leaks))
                        elif _refusal_count(services) == refusals:
                            failures.append((user, method, url, "refusal not audited"))
    assert failures == []


def test_instance_screens_are_for_managers_and_administrators_and_only_administrators_see_the_data(app, people,
                                                                                                   clients):
    failures = []
    for rule in _rules(app, "instance"):
        for person in people.values():
            url = _url(app, rule, person)
            for user, client in clients.items():
                for method in _methods(rule):
                    if user in ("leitung", "admin") and method != "GET":
                        continue
                    response = client.open(url, method=method)
                    leaks = _leaked(_text(response), person.secrets)
                    if user in ("leitung", "admin"):
                        bad = response.status_code >= 500 or (leaks and user not in SEES_INSTANCE_DATA)
                    else:
                        bad = response.status_code not in NOT_FOUND or leaks
                    if bad:
                        failures.append((user, method, url, response.status_code, leaks))
    assert failures == []


def test_lists_searches_and_every_other_page_never_show_a_person_to_users_without_need_to_know(app, people,
                                                                                              clients):
    failures = []
    for rule in _rules(app, "global") + _rules(app, "public"):
        if "GET" not in rule.methods:
            continue
        url = _url(app, rule, None)
        for area, person in people.items():
            family, born = person.secrets[0], "1990-05-17" if area == "neuss" else "1985-02-01"
            # A page may echo the search words back; what it must not show is what they would find.
            by_name = {"suche": family, "q": family, "name": family, "geburtsdatum": born, "ansicht": "alle",
                       "alle": "1"}
            by_ref = {"suche": person.case_ref, "q": person.case_ref, "fallnummer": person.case_ref,
                      "fall": person.case_ref, "ansicht": "alle", "alle": "1"}
            for user, client in clients.items():
                if user in NEED_TO_KNOW[area]:
                    continue
                ref = () if user in MONITORS else (person.case_ref,)
                for query, hidden in ((None, (*ref, *person.secrets)), (by_name, (*ref, *person.secrets[1:])),
                                      (by_ref, person.secrets)):
                    response = client.get(url, query_string=query)
                    leaks = _leaked(_text(response), hidden)
                    if leaks or (response.status_code >= 500 and rule.rule != "/readyz"):  # 503 until a worker beats
                        failures.append((user, url, query, response.status_code, leaks))
    assert failures == []


def test_users_with_need_to_know_do_open_the_file_its_document_and_the_task(app, people, clients):
    for area, person in people.items():
        for user in NEED_TO_KNOW[area]:
            page = clients[user].get(f"/fall/{person.case_ref}")
            assert page.status_code == 200 and person.secrets[0] in page.get_data(as_text=True), (user, area)
            assert clients[user].get(f"/fall/{person.case_ref}/dokument/{person.document_id}").data == PDF
        for user in TASK_UNIT[area]:
            assert clients[user].get(f"/aufgabe/{person.open_task}").status_code == 200
            done = clients[user].get(f"/aufgabe/{person.done_task}").get_data(as_text=True)
            assert person.completer[1] in done  # the unit is told who completed it


def test_a_kaarst_social_services_clerk_cannot_open_a_neuss_residents_file_documents_or_notes(app, people,
                                                                                           clients, services):
    _cannot_open(clients["sozialamt-kaarst"], people["neuss"])
    assert "Al-Hassan" in clients["sozialamt-neuss"].get(f"/fall/{people['neuss'].case_ref}").get_data(as_text=True)
    assert "Müller" in clients["sozialamt-kaarst"].get(f"/fall/{people['kaarst'].case_ref}").get_data(as_text=True)
    assert "sozialamt-kaarst" in _refused(services)


def test_the_dormagen_foreigners_authority_cannot_open_neuss_files(app, people, clients, services):
    _cannot_open(clients["abh-dormagen"], people["neuss"])
    _cannot_open(clients["abh-kreis"], people["neuss"])
    assert "Al-Hassan" in clients["abh-neuss"].get(f"/fall/{people['neuss'].case_ref}").get_data(as_text=True)
    assert "abh-dormagen" in _refused(services)


def _cannot_open(client, person: Person) -> None:
    ref = person.case_ref
    for response in (client.get(f"/fall/{ref}"), client.get(f"/fall/{ref}/dokument/{person.document_id}"),
                     client.get(f"/faelle/{ref}/eingang"), client.post(f"/fall/{ref}/notiz", data={"text": "x"}),
                     client.get(f"/aufgabe/{person.open_task}"), client.get(f"/aufgabe/{person.done_task}")):
        assert response.status_code == 404
        assert not _leaked(_text(response), person.secrets)
    for page in (client.get("/faelle", query_string={"ansicht": "alle"}), client.get("/aufgaben/gruppe")):
        assert not _leaked(_text(page), (ref, *person.secrets))
    assert not _leaked(_text(client.get("/personen", query_string={"name": person.secrets[0]})),
                       (ref, *person.secrets[1:]))
    assert not _leaked(_text(client.get("/personen", query_string={"fallnummer": ref})), person.secrets)


def _refused(services) -> set[str]:
    from engine.store.models import AuditEvent

    with services.db.reading() as session:
        return set(session.scalars(select(AuditEvent.actor).where(
            AuditEvent.action.in_(("access_denied", "case_access_denied")))))
