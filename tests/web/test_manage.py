"""The management views: managers (and admins) open them, clerks get 404; admin actions need a reason."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.core.actors import Actor
from engine.read.lists import open_tasks
from engine.store.models import AuditEvent
from tests.bpmn_builder import linear
from tests.engine.report_data import seed

SYSTEM = Actor.system_actor("test")


@pytest.fixture
def instance_id(services):
    services.engine.deploy({"antrag.bpmn": linear("antrag")}, actor=SYSTEM)
    return services.engine.start("antrag", actor=SYSTEM, business_key="AZ-77")


def views(instance_id):
    return ["/manage/", "/manage/instances", "/manage/instances?overdue=1&q=AZ&status=running",
            f"/manage/instances/{instance_id}", "/manage/incidents", "/manage/heatmap", "/manage/heatmap/1",
            "/manage/heatmap/1/diagram.bpmn", "/manage/report?period=2026-03",
            "/manage/report?period=2026-Q1&area=neuss",
            "/manage/report/caseload.csv?period=2026-03", "/manage/report.xlsx?period=2026-03"]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_open_every_management_view(make_user, login, instance_id, role):
    client = login(make_user("chefin", role))
    for url in views(instance_id):
        assert client.get(url).status_code == 200, url


def test_a_clerk_gets_404_on_every_management_view_and_the_attempt_is_audited(make_user, login, instance_id,
                                                                              services):
    client = login(make_user("s.sozial", "staff", ("sozialamt_neuss",)))
    for url in views(instance_id):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/manage/instances/{instance_id}/suspend", data={"reason": "x"}).status_code == 404
    with services.db.reading() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert len(denied) == len(views(instance_id)) + 1
    assert services.engine.show(instance_id).status == "running"


def test_signed_out_visitors_are_sent_to_the_sign_in_page(app, instance_id):
    assert app.test_client().get("/manage/report").status_code == 302


def test_suspending_needs_a_reason_which_is_audited(make_user, login, instance_id, services):
    client = login(make_user("chefin", "manager"))
    client.post(f"/manage/instances/{instance_id}/suspend", data={"reason": ""})
    assert services.engine.show(instance_id).status == "running"
    client.post(f"/manage/instances/{instance_id}/suspend", data={"reason": "Klärung mit dem Amt"})
    assert services.engine.show(instance_id).status == "suspended"
    page = client.get(f"/manage/instances/{instance_id}").get_data(as_text=True)
    assert "Chefin: angehalten – „Klärung mit dem Amt“" in page and "instance_suspended" not in page


def test_only_an_admin_may_correct_a_data_value(make_user, login, instance_id, services):
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    manager = login(make_user("chefin", "manager"))
    manager.post(f"/manage/instances/{instance_id}/set-data", data={"field": "note", "value": "x", "reason": "r"})
    assert "note" not in services.engine.task_form(task.id)[1]
    admin = login(make_user("ada", "admin"))
    admin.post(f"/manage/instances/{instance_id}/set-data",
               data={"field": "note", "value": "korrigiert", "reason": "Tippfehler"})
    assert services.engine.task_form(task.id)[1]["note"] == "korrigiert"


def test_the_instance_list_finds_an_instance_by_business_key(make_user, login, instance_id):
    client = login(make_user("chefin", "manager"))
    page = client.get("/manage/instances?q=AZ-7").get_data(as_text=True)
    assert "AZ-77" in page and "1 Vorgänge" in page
    assert "0 Vorgänge" in client.get("/manage/instances?q=XY").get_data(as_text=True)


def test_the_report_page_shows_suppressed_cells_and_the_exports_are_audited(make_user, login, services):
    with services.db.unit_of_work() as session:
        seed(session)
    client = login(make_user("chefin", "manager"))
    page = client.get("/manage/report?period=2026-03").get_data(as_text=True)
    assert "Fallzahlen" in page and "&lt;5" in page and "Definitionen" in page
    csv_text = client.get("/manage/report/caseload.csv?period=2026-03").data.decode("utf-8-sig")
    assert "Neuss;.;.;<5" in csv_text  # kept secret so Kaarst's "<5" cannot be worked out from the total
    book = load_workbook(io.BytesIO(client.get("/manage/report.xlsx?period=2026-03").data))
    assert "Fallzahlen" in book.sheetnames
    with services.db.reading() as session:
        formats = [e.details["format"] for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report_exported").order_by(AuditEvent.id))]
    assert formats == ["csv", "xlsx"]


def test_an_unknown_period_or_table_is_not_found(make_user, login):
    client = login(make_user("chefin", "manager"))
    assert client.get("/manage/report?period=März").status_code == 404
    assert client.get("/manage/report/nope.csv?period=2026-03").status_code == 404
