"""Team leads: a flag on a unit membership, and the engine hook that adds candidate users to a new task."""

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from engine.core import clock
from engine.identity import org
from engine.identity.models import Membership, User
from engine.identity.org import OrgError
from engine.read import lists as queries
from engine.service.engine import ProcessEngine
from engine.service.registry import Extensions
from engine.store.migrate import alembic_config
from engine.store.models import AuditEvent

ESCALATION = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://kimflow.test">
  <bpmn:process id="escalation" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="escalate" name="Überfällige Anfrage klären" camunda:candidateGroups="abh"
        camunda:candidateUsers="bereitschaft">
      <bpmn:extensionElements><camunda:properties><camunda:property name="role" value="team_lead" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="plain" name="Anfrage bearbeiten" camunda:candidateGroups="abh" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="escalate" />
    <bpmn:sequenceFlow id="f2" sourceRef="escalate" targetRef="plain" />
    <bpmn:sequenceFlow id="f3" sourceRef="plain" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def _user(session, username: str, active: bool = True) -> None:
    session.add(User(username=username, display_name=username.title(), password_hash="-", role="staff",
                     active=active, failed_logins=0, session_version=1, language="de", created_at=clock.now()))
    session.flush()


@pytest.fixture
def abh(db):
    """Return the database with unit abh_kreis and three members: a lead, a clerk and an inactive former lead."""
    with db.unit_of_work() as session:
        org.save_unit(session, "abh_kreis", "Ausländerbehörde Rhein-Kreis Neuss", "abh", actor="admin")
        org.save_unit(session, "abh_neuss", "Ausländerbehörde Stadt Neuss", "abh", actor="admin")
        for name, active in (("mueller", True), ("yilmaz", True), ("alt", False), ("nowak", True)):
            _user(session, name, active)
        for name in ("mueller", "yilmaz", "alt"):
            org.add_membership(session, name, "abh_kreis", actor="admin")
        org.add_membership(session, "nowak", "abh_neuss", actor="admin")
        org.set_team_lead(session, "mueller", "abh_kreis", actor="admin")
        org.set_team_lead(session, "alt", "abh_kreis", actor="admin")
        org.set_team_lead(session, "nowak", "abh_neuss", actor="admin")
        session.commit()
    return db


def test_team_leads_of_a_unit_are_its_active_members_marked_as_lead(abh):
    with abh.reading() as session:
        assert org.team_leads(session, "abh_kreis") == ["mueller"]
        assert org.team_leads(session, "abh_neuss") == ["nowak"]
        assert org.team_leads(session, "jobcenter_rkn") == []


def test_a_new_membership_is_not_a_team_lead(abh):
    with abh.reading() as session:
        row = session.scalar(select(Membership).join(User, User.id == Membership.user_id)
                             .where(User.username == "yilmaz"))
        assert row.team_lead is False


def test_unmarking_a_team_lead_is_audited_and_takes_effect(abh):
    with abh.unit_of_work() as session:
        org.set_team_lead(session, "mueller", "abh_kreis", False, actor="admin")
        session.commit()
    with abh.reading() as session:
        assert org.team_leads(session, "abh_kreis") == []
        kinds = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("team_lead%"))).all()
    assert sorted(kinds) == ["team_lead_removed", "team_lead_set", "team_lead_set", "team_lead_set"]


def test_only_a_member_of_the_unit_can_be_its_team_lead(abh):
    with abh.unit_of_work() as session, pytest.raises(OrgError, match="arbeitet nicht in der Stelle"):
        org.set_team_lead(session, "nowak", "abh_kreis", actor="admin")


def _engine(db, resolver, calls: list) -> ProcessEngine:
    def recorded(extensions, unit, context):
        calls.append((extensions.get("role"), unit, context.process_id))
        return resolver(extensions, unit, context)

    ext = Extensions(unit_resolver=lambda office, context: f"{office}_kreis", candidate_resolver=recorded)
    return ProcessEngine(db, ext)


def test_the_candidate_resolver_adds_users_to_a_new_task_after_the_designed_ones(db, system):
    calls: list = []
    engine = _engine(db, lambda ext, unit, ctx: ["bereitschaft", f"lead_of_{unit}"] if ext.get("role") else [], calls)
    engine.deploy({"escalation.bpmn": ESCALATION}, actor=system)
    instance = engine.start("escalation", actor=system)
    with db.reading() as session:
        [escalate] = queries.open_tasks(session, instance_id=instance)
    assert (escalate.unit, escalate.candidate_users) == ("abh_kreis", ["bereitschaft", "lead_of_abh_kreis"])
    assert calls == [("team_lead", "abh_kreis", "escalation")]
    engine.complete(escalate.id, actor=system, data={})
    with db.reading() as session:
        [plain] = queries.open_tasks(session, instance_id=instance)
    assert (plain.element_id, plain.candidate_users) == ("plain", [])


def test_without_a_candidate_resolver_a_task_keeps_only_its_designed_candidates(db, system):
    engine = ProcessEngine(db, Extensions())
    engine.deploy({"escalation.bpmn": ESCALATION}, actor=system)
    instance = engine.start("escalation", actor=system)
    with db.reading() as session:
        [escalate] = queries.open_tasks(session, instance_id=instance)
    assert escalate.candidate_users == ["bereitschaft"]


def test_the_migration_adds_the_flag_as_false_to_existing_memberships(tmp_path):
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_org_cases")
        connection.execute(text("INSERT INTO org_unit (code, name, office, active) "
                                "VALUES ('abh_kreis', 'ABH', 'abh', 1)"))
        connection.execute(text("INSERT INTO org_user (id, username, display_name, password_hash, role, active, "
                                "failed_logins, session_version, language, created_at) VALUES "
                                "(1, 'mueller', 'M', '-', 'staff', 1, 0, 1, 'de', '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO org_membership (user_id, unit_code) VALUES (1, 'abh_kreis')"))
        command.upgrade(config, "0005_team_lead")
        assert connection.execute(text("SELECT team_lead FROM org_membership")).scalar_one() in (0, False)
        command.downgrade(config, "0002_org_cases")
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(org_membership)"))]
    engine.dispose()
    assert "team_lead" not in columns
