"""Hostile input ends in a kimflow page, never a 500: NUL bytes, huge ids, header injection, foreign redirects."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.core.actors import Actor
from tests.conftest import fixture_files
from tests.web.scenario import PASSWORD, fill
from workflows.cases.models import CaseDocument, CaseNote

BIG = "99999999999999999999999"
BAD_REQUEST_PAGE = "Die Anfrage war unvollständig"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(("user", "path"), [
    ("s.sozial", "/fall/a%00b"), ("s.sozial", "/aufgabe/a%00b"), ("s.sozial", "/aufgaben/gruppe?suche=a%00b"),
    ("s.sozial", "/faelle?q=%00"), ("admin", "/manage/instances?status=%00"), ("admin", "/verwaltung/benutzer/a%00"),
    ("d.designer", "/designer/process/a%00b/migration"), ("m.manager", "/manage/report?area=%00"),
])
def test_a_nul_byte_in_the_path_or_query_gets_the_400_page(scene, login, user, path):
    response = login(user).get(path)
    assert response.status_code == 400, response.status_code
    assert BAD_REQUEST_PAGE in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_field_is_refused_and_nothing_is_stored(scene, login, services):
    client = login("f.fall")
    response = client.post(f"/fall/{scene.case_ref}/notiz", data={"text": "Vermerk\x00mit NUL"})
    assert response.status_code == 400 and BAD_REQUEST_PAGE in response.get_data(as_text=True)
    response = client.post(f"/fall/{scene.case_ref}/dokument", data={"datei": (io.BytesIO(PDF), "a\x00.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
        assert session.scalar(select(func.count()).select_from(CaseDocument)) == 0


def test_a_nul_byte_in_the_sign_in_form_and_in_json_gets_400(scene, app, login):
    response = app.test_client().post("/login", data={"username": "s.sozial\x00", "password": "x\x00"})
    assert response.status_code == 400
    response = login("d.designer").post("/designer/api/process/p/entwurf",
                                        json={"xml": "<a/>", "file_name": "p\u0000.bpmn"})
    assert response.status_code == 400


def test_a_pdf_whose_content_holds_nul_bytes_is_still_accepted(scene, login, services):
    client = login("f.fall")
    response = client.post(f"/fall/{scene.case_ref}/dokument",
                           data={"datei": (io.BytesIO(PDF + b"\x00\x00binary"), "Bescheid.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(CaseDocument)) == 1


@pytest.mark.parametrize(("user", "method", "path"), [
    ("admin", "GET", f"/manage/instances/{BIG}"), ("m.manager", "GET", f"/manage/heatmap/{BIG}"),
    ("f.fall", "GET", "/fall/{case}/dokument/" + BIG), ("f.fall", "POST", "/fall/{case}/frist/" + BIG + "/erledigt"),
    ("admin", "POST", f"/verwaltung/benutzer/admin/vertretungen/{BIG}/entfernen"),
    ("admin", "POST", f"/admin/api/konten/{BIG}/token"), ("admin", "GET", "/manage/instances/2147483648"),
    ("s.sozial", "GET", f"/aufgaben/{BIG}"), ("s.sozial", "GET", f"/aufgabe/{BIG}"),
])
def test_an_id_beyond_the_integer_range_is_not_found(scene, login, user, method, path):
    response = login(user).open(path.format(case=scene.case_ref), method=method)
    assert response.status_code == 404


@pytest.mark.parametrize(("user", "path"), [
    ("admin", f"/manage/instances?page={BIG}"), ("s.sozial", f"/aufgaben/gruppe?seite={BIG}"),
    ("d.designer", f"/designer/api/process/benefit_transfer/quelle?version={BIG}"),
    ("d.designer", f"/designer/process/benefit_transfer/herunterladen?version={BIG}"),
    ("d.designer", f"/designer/process/benefit_transfer/vergleich?von={BIG}&nach=1"),
])
def test_a_huge_number_in_the_query_never_ends_in_a_500(scene, login, user, path):
    # TESTING propagates unhandled exceptions, so an overflow the app does not answer fails here.
    assert login(user).get(path).status_code in (200, 302, 400, 404)


def test_a_drafts_file_name_cannot_inject_headers_into_the_download(app, make_user, login, services):
    services.engine.deploy(fixture_files("two_tasks.bpmn"), actor=Actor.system_actor("test"))
    make_user("d.berg", role="designer")
    client = login("d.berg")
    evil = 'Prüfung"\r\nSet-Cookie: kimflow_session=evil\r\nX-Evil: 1;.bpmn'
    xml = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
    assert client.post("/designer/api/process/two_tasks/entwurf", json={"xml": xml, "file_name": evil}).status_code \
        == 200
    response = client.get("/designer/process/two_tasks/herunterladen")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and "X-Evil" not in response.headers
    assert not [c for c in response.headers.getlist("Set-Cookie") if "=evil" in c]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith('attachment; filename="Prufung')
    assert disposition.count('"') == 2  # the quoted fallback name only; its own quote was dropped
    assert "filename*=UTF-8''Pr%C3%BCfung%22Set-Cookie%3A%20kimflow_session%3Devil" in disposition


def test_a_documents_name_is_offered_encoded_per_rfc_6266(scene, login, services):
    client = login("f.fall")
    client.post(f"/fall/{scene.case_ref}/dokument", data={"datei": (io.BytesIO(PDF), "Bescheid Müller.pdf")},
                content_type="multipart/form-data")
    with services.db.reading() as session:
        document_id = session.scalar(select(CaseDocument.id))
    disposition = client.get(f"/fall/{scene.case_ref}/dokument/{document_id}").headers["Content-Disposition"]
    assert disposition == "attachment; filename=\"Bescheid Muller.pdf\"; filename*=UTF-8''Bescheid%20M%C3%BCller.pdf"


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "\\\\evil.example",
    "http:/evil.example", "javascript:alert(1)", "/\n/evil.example",
])
def test_sign_in_never_redirects_to_another_site(scene, app, target):
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"username": "s.sozial", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/aufgaben", response.location


@pytest.mark.parametrize("encoded", ["/%5Cevil.example", "/%09/evil.example", "%2F%2Fevil.example"])
def test_sign_in_decodes_next_before_judging_it(scene, app, encoded):
    response = app.test_client().post(f"/login?next={encoded}", data={"username": "s.sozial", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/aufgaben", response.location


def test_sign_in_follows_a_same_site_next_path(scene, app):
    response = app.test_client().post(f"/login?next=/fall/{scene.case_ref}",
                                      data={"username": "s.sozial", "password": PASSWORD})
    assert response.location == f"/fall/{scene.case_ref}"


def test_the_language_switch_stays_on_the_site(app):
    response = app.test_client().post("/sprache", data={"lang": "en", "next": "/\\evil.example"})
    assert response.status_code == 302 and not response.location.startswith(("//", "/\\", "http"))


def test_a_completed_task_of_another_unit_does_not_tell_who_completed_it(scene, login, services):
    colleague = Actor("s.kollege", units=frozenset({"sozialamt_neuss"}))
    form, _data = services.engine.task_form(scene.sozialamt_task)
    services.engine.complete(scene.sozialamt_task, actor=colleague, data=fill(form))
    for user in ("k.kaarst", "j.center", "a.abh"):
        client = login(user)
        for response in (client.get(f"/aufgabe/{scene.sozialamt_task}"),
                         client.post(f"/aufgabe/{scene.sozialamt_task}", data={"aktion": "erledigen"}),
                         client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")):
            body = response.get_data(as_text=True)
            assert response.status_code == 404, (user, response.status_code)
            assert "Kollege" not in body and "s.kollege" not in body
        assert "s.kollege" not in client.get("/aufgaben/erledigt").get_data(as_text=True)
    # the unit itself is told (the race page)
    assert "Stefan Kollege" in login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}").get_data(as_text=True)


def test_the_api_does_not_tell_another_unit_who_completed_a_task(scene, app, services):
    from engine import service_accounts

    form, _data = services.engine.task_form(scene.sozialamt_task)
    services.engine.complete(scene.sozialamt_task, actor=Actor("s.kollege", units=frozenset({"sozialamt_neuss"})),
                             data=fill(form))
    with services.db.unit_of_work() as session:
        kaarst = service_accounts.create_account(session, "fachverfahren-kaarst", units=["sozialamt_kaarst"],
                                                 verbs=list(service_accounts.VERBS), actor="test")
        token = service_accounts.issue_token(session, kaarst.id, actor="test", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    answer = client.get(f"/api/v1/tasks/{scene.sozialamt_task}", headers=headers)
    assert answer.status_code == 404 and "s.kollege" not in answer.get_data(as_text=True)
    done = client.get("/api/v1/tasks?view=done", headers=headers)
    assert done.status_code == 200 and "s.kollege" not in done.get_data(as_text=True)
