"""The case file: what each office may see, consents, deadlines, notes and documents, all audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from sqlalchemy import select

from engine.store.models import AuditEvent
from tests.web.test_inbox import release_names
from workflows.cases import files as cases
from workflows.cases.models import CaseDocument, Consent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _actions(services, actor: str) -> list[str]:
    with services.db.reading() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor == actor)))


def test_case_management_sees_master_data_tasks_and_timeline(scene, login, services):
    html = login("f.fall").get(f"/fall/{scene.case_ref}").data.decode()
    assert "Haddad" in html and "Amina" in html and "12.04.1991" in html
    assert "AsylbLG zum Monatsende einstellen" in html and "Sozialamt Stadt Neuss" in html
    assert 'class="timeline"' in html
    assert "case_viewed" in _actions(services, "f.fall")


def test_an_office_without_consent_sees_the_case_but_not_the_person(scene, login):
    html = login("s.sozial").get(f"/fall/{scene.case_ref}").data.decode()
    assert "Für Ihre Stelle sind keine Falldaten freigegeben." in html
    assert "Haddad" not in html
    assert "Einwilligungen und Rechtsgrundlagen" not in html


def test_a_clerk_without_any_relation_to_the_case_gets_404_and_an_audit_line(scene, login, services):
    assert login("k.kaarst").get(f"/fall/{scene.case_ref}").status_code == 404
    assert "case_access_denied" in _actions(services, "k.kaarst")


def test_case_management_records_and_revokes_a_consent_with_immediate_effect(scene, login, services):
    client = login("f.fall")
    client.post(f"/fall/{scene.case_ref}/einwilligung",
                data={"stelle": "sozialamt", "kategorien": ["stammdaten", "leistungen"], "zweck": "Leistungswechsel"})
    assert "Haddad" in login("s.sozial").get(f"/fall/{scene.case_ref}").data.decode()
    with services.db.reading() as session:
        consent_id = session.scalar(select(Consent.id).where(Consent.case_ref == scene.case_ref))
    response = client.post(f"/fall/{scene.case_ref}/einwilligung/{consent_id}/widerruf")
    assert response.status_code == 302
    assert "Haddad" not in login("s.sozial").get(f"/fall/{scene.case_ref}").data.decode()


def test_only_case_management_may_change_consents(scene, login, services):
    response = login("s.sozial").post(f"/fall/{scene.case_ref}/einwilligung",
                                      data={"stelle": "sozialamt", "kategorien": ["stammdaten"]})
    assert response.status_code == 404
    with services.db.reading() as session:
        assert session.scalar(select(Consent.id)) is None


def test_the_deadline_register_is_shown_and_can_be_ticked_off(scene, login, services):
    with services.db.unit_of_work() as session:
        deadline = cases.add_deadline(session, scene.case_ref, "aufenthalt", "Fiktionsbescheinigung läuft ab",
                                      dt.date(2026, 6, 30), actor="test")
        deadline_id = deadline.id
    client = login("f.fall")
    assert "Fiktionsbescheinigung läuft ab" in client.get(f"/fall/{scene.case_ref}").data.decode()
    client.post(f"/fall/{scene.case_ref}/frist/{deadline_id}/erledigt")
    with services.db.reading() as session:
        still_open = {d.id for d in cases.list_deadlines(session, scene.case_ref, open_only=True)}
    assert deadline_id not in still_open


def test_a_comment_is_stored_and_shown(scene, login, services):
    release_names(services, scene.case_ref)  # a task alone releases no notes or documents
    client = login("s.sozial")
    client.post(f"/fall/{scene.case_ref}/notiz", data={"text": "Kontoauszug angefordert"})
    assert "Kontoauszug angefordert" in client.get(f"/fall/{scene.case_ref}").data.decode()


def test_a_pdf_upload_is_stored_with_its_checksum_and_the_download_is_audited(scene, login, services):
    client = login("f.fall")
    client.post(f"/fall/{scene.case_ref}/dokument", data={"datei": (io.BytesIO(PDF), "Bescheid.pdf")},
                content_type="multipart/form-data")
    with services.db.reading() as session:
        document = session.scalar(select(CaseDocument))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest() and document.content_type == "application/pdf"
    response = client.get(f"/fall/{scene.case_ref}/dokument/{document.id}")
    assert response.data == PDF and "attachment" in response.headers["Content-Disposition"]
    assert "document_read" in _actions(services, "f.fall")


def test_an_upload_whose_content_is_not_pdf_or_image_is_refused_whatever_its_name(scene, login, services):
    client = login("f.fall")
    response = client.post(f"/fall/{scene.case_ref}/dokument",
                           data={"datei": (io.BytesIO(b"MZ\x90\x00evil"), "harmlos.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Nur PDF-, PNG- und JPEG-Dateien sind erlaubt." in response.data.decode()
    with services.db.reading() as session:
        assert session.scalar(select(CaseDocument.id)) is None


def test_an_upload_over_the_size_limit_is_refused(scene, login, app):
    app.config["UPLOAD_MAX_BYTES"] = 10
    response = login("f.fall").post(f"/fall/{scene.case_ref}/dokument",
                                    data={"datei": (io.BytesIO(PDF), "gross.pdf")},
                                    content_type="multipart/form-data", follow_redirects=True)
    assert "Die Datei ist zu groß" in response.data.decode()


def test_documents_of_a_case_cannot_be_read_through_another_case(scene, login, services):
    with services.db.unit_of_work() as session:
        other = cases.open_case(session, actor="test", area="neuss", given_name="Zweite")
        document = cases.add_document(session, other.case_ref, "x.pdf", "application/pdf", PDF, actor="test")
        document_id = document.id
    assert login("f.fall").get(f"/fall/{scene.case_ref}/dokument/{document_id}").status_code == 404


def test_data_filled_from_forms_reads_in_the_forms_words(scene, login, services):
    with services.db.unit_of_work() as session:
        cases.set_profile(session, scene.case_ref, "aufenthalt",
                          {"protection_type": "refugee_3", "able_to_work": False}, actor="f.fall")
    html = login("f.fall").get(f"/fall/{scene.case_ref}").data.decode()
    assert "Schutzstatus" in html and "Flüchtlingsschutz (§ 3 AsylG)" in html and "protection_type" not in html
    assert "Nein" in html and ">False<" not in html
