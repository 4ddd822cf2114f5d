"""Need to know: who sees which case data, on which basis; revoking consent withdraws open requests."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.errors import NotFound
from engine.identity import org
from engine.store import audit
from engine.store.models import HumanTask
from tests import bpmn_builder as b
from tests.engine.test_routing import make_staff, routed  # noqa: F401 - fixture
from workflows.cases.consent import record_consent, revoke_consent
from workflows.cases.files import open_case, set_profile
from workflows.cases.visibility import visible_case, visible_case_refs

pytestmark = pytest.mark.usefixtures("routed")
NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
STAFF = {"cm.kaarst": "kim_cm_kaarst", "cm.neuss": "kim_cm_neuss", "coord": "kim_coord",
         "jc": "jobcenter_rkn", "soz": "sozialamt_kaarst", "abh": "abh_kreis"}


@pytest.fixture
def case_ref(db, request):
    request.getfixturevalue("routed")  # units must exist before staff join them
    with clock.frozen(NOW), db.unit_of_work() as session:
        make_staff(session, STAFF)
        ref = open_case(session, actor="cm.kaarst", area="kaarst", given_name="Amal", family_name="Haddad",
                        nationality="SY", residence_status="§ 25 Abs. 2 AufenthG", languages=["ar"]).case_ref
        set_profile(session, ref, "leistungen", {"law": "AsylbLG"}, actor="cm.kaarst")
        set_profile(session, ref, "gesundheit", {"note": "Reha"}, actor="cm.kaarst")
    return ref


def who(db, username):
    with db.reading() as session:
        return org.actor_for(session, username, NOW)


def view(db, username, ref, now=NOW):
    with db.unit_of_work() as session:
        return visible_case(session, ref, who(db, username), now)


def consent(db, ref, office, categories, **terms):
    terms.setdefault("valid_from", dt.date(2026, 3, 1))
    with clock.frozen(NOW), db.unit_of_work() as session:
        return record_consent(session, ref, office, categories, "Hilfeplan", actor="cm.kaarst", **terms).id


def test_case_management_of_the_area_and_coordination_see_everything(db, case_ref):
    for username in ("cm.kaarst", "coord"):
        seen = view(db, username, case_ref)
        assert seen.full and seen.hidden == ()
        assert (seen.fields["family_name"], seen.fields["note"]) == ("Haddad", "Reha")


def test_an_office_without_consent_or_task_gets_not_found_and_the_attempt_is_audited(db, case_ref):
    for username in ("jc", "cm.neuss"):
        with pytest.raises(NotFound):
            view(db, username, case_ref)
    with db.reading() as session:
        assert [e.action for e in audit.events(session, actor="jc")] == ["case_access_denied"]


def test_an_office_with_consent_sees_only_its_categories_and_health_only_with_the_tick(db, case_ref):
    consent_id = consent(db, case_ref, "jobcenter", ["stammdaten", "leistungen", "gesundheit"])
    seen = view(db, "jc", case_ref)
    assert seen.basis == f"consent #{consent_id}"
    assert seen.categories == {"stammdaten", "leistungen"}
    assert seen.fields["family_name"] == "Haddad" and seen.fields["law"] == "AsylbLG"
    assert "residence_status" not in seen.fields and "note" not in seen.fields
    assert seen.hidden == ("aufenthalt", "gesundheit", "arbeit", "sprache")


def test_health_data_needs_the_explicit_tick(db, case_ref):
    consent(db, case_ref, "jobcenter", ["gesundheit"], health_data=True)
    assert view(db, "jc", case_ref).fields == {"note": "Reha"}


def test_a_named_legal_basis_releases_like_a_consent(db, case_ref):
    consent(db, case_ref, "abh", ["aufenthalt"], legal_basis="§ 71 SGB X")
    seen = view(db, "abh", case_ref)
    assert seen.basis == "legal basis: § 71 SGB X" and seen.fields == {"residence_status": "§ 25 Abs. 2 AufenthG"}


def test_consent_outside_its_validity_releases_nothing(db, case_ref):
    consent(db, case_ref, "jobcenter", ["stammdaten"], valid_from=dt.date(2026, 3, 1),
            valid_until=dt.date(2026, 3, 31))
    assert view(db, "jc", case_ref).sees("stammdaten")
    with pytest.raises(NotFound):
        view(db, "jc", case_ref, NOW + dt.timedelta(days=30))


def test_an_office_with_a_task_sees_the_case_header_but_no_data_without_consent(db, engine, system, case_ref):
    engine.deploy({"req.bpmn": b.linear("req", 1, office="sozialamt")}, actor=system)
    engine.start("req", actor=system, case_ref=case_ref)
    seen = view(db, "soz", case_ref)
    assert (seen.basis, seen.fields, seen.area) == ("legal basis: task", {}, "kaarst")


def test_every_read_is_audited_with_its_basis(db, case_ref):
    consent_id = consent(db, case_ref, "jobcenter", ["stammdaten"])
    view(db, "jc", case_ref)
    with db.reading() as session:
        event = audit.events(session, actor="jc")[0]
    assert (event.action, event.case_ref, event.legal_basis) == ("case_viewed", case_ref, f"consent #{consent_id}")


def test_case_lists_filter_with_the_same_rules(db, case_ref):
    with clock.frozen(NOW), db.unit_of_work() as session:
        other = open_case(session, actor="cm.neuss", area="neuss").case_ref
    consent(db, other, "jobcenter", ["stammdaten"])
    with db.reading() as session:
        def refs(username):
            return set(session.scalars(visible_case_refs(session, who(db, username), NOW)))
        assert (refs("cm.kaarst"), refs("cm.neuss"), refs("jc"), refs("soz")) == (
            {case_ref}, {other}, {other}, set())
        assert refs("coord") == {case_ref, other}


def requests_bpmn() -> str:
    tasks = [b.user("ask_jobcenter", "Anfrage bearbeiten", "jobcenter", [("outcome", "string", "Ergebnis",
                                                                            {"required": None})]),
             b.user("ask_sozialamt", "Leistung prüfen", "sozialamt")]
    elements = [("start", "start"), ("and", "split"), *tasks, ("and", "join"), ("end", "end")]
    flows = [("start", "split"), ("split", "ask_jobcenter"), ("split", "ask_sozialamt"),
             ("ask_jobcenter", "join"), ("ask_sozialamt", "join"), ("join", "end")]
    return b.build("requests", elements, flows)


def test_revoking_consent_withdraws_open_requests_to_that_office_only(db, engine, system, case_ref):
    consent_id = consent(db, case_ref, "jobcenter", ["stammdaten"])
    engine.deploy({"requests.bpmn": requests_bpmn()}, actor=system)
    instance = engine.start("requests", actor=system, case_ref=case_ref)
    withdrawn = revoke_consent(engine, consent_id, actor=who(db, "cm.kaarst"), reason="Widerruf per Brief")
    with db.reading() as session:
        tasks = {t.office: t for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance))}
        assert [e.action for e in audit.events(session, case_ref=case_ref)][:2] == ["task_withdrawn",
                                                                                   "consent_revoked"]
    assert withdrawn == [tasks["jobcenter"].id]
    assert (tasks["jobcenter"].status, tasks["sozialamt"].status) == ("cancelled", "open")
    with pytest.raises(NotFound):
        view(db, "jc", case_ref)
    engine.complete(tasks["sozialamt"].id, actor=who(db, "soz"), data={})
    finished = engine.show(instance)
    assert finished.status == "completed" and finished.data["request_withdrawn"] is True


def test_requests_stay_open_while_a_legal_basis_still_covers_the_office(db, engine, system, case_ref):
    consent_id = consent(db, case_ref, "jobcenter", ["stammdaten"])
    consent(db, case_ref, "jobcenter", ["leistungen"], legal_basis="§ 50 SGB II")
    engine.deploy({"requests.bpmn": requests_bpmn()}, actor=system)
    engine.start("requests", actor=system, case_ref=case_ref)
    assert revoke_consent(engine, consent_id, actor=who(db, "cm.kaarst")) == []
    assert view(db, "jc", case_ref).categories == {"leistungen"}
