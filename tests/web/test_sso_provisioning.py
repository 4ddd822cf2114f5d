"""Just-in-time provisioning from verified claims: the group mapping decides role and units, nothing else."""

from __future__ import annotations

import pytest

from engine import org, sso

ISSUER = "https://anmeldung.kommune.example"


@pytest.fixture
def mapped(services, make_user):
    make_user("seed", units=("sozialamt_neuss", "jobcenter_rkn"))
    with services.db.unit_of_work() as session:
        sso.add_mapping(session, "sozialamt", role=None, unit_code="sozialamt_neuss", actor="test")
        sso.add_mapping(session, "jobcenter", role=None, unit_code="jobcenter_rkn", actor="test")
        sso.add_mapping(session, "leitung", role="manager", unit_code=None, actor="test")
    return services.db


def _sign_in(db, subject: str, groups: list[str], **claims):
    with db.unit_of_work() as session:
        result = sso.sign_in(session, issuer=ISSUER, subject=subject, groups=groups,
                             claims={"preferred_username": subject, **claims})
        return result.user.username if result.ok else result.message


def _account(db, username: str):
    with db.reading() as session:
        return org.user_by_name(session, username).role, sorted(org.memberships(session, username))


def test_a_new_person_is_created_with_the_mapped_role_and_units(mapped):
    assert _sign_in(mapped, "erika", ["sozialamt", "leitung", "kantine"], name="Erika M.") == "erika"
    assert _account(mapped, "erika") == ("manager", ["sozialamt_neuss"])


def test_a_later_sign_in_follows_the_changed_groups(mapped):
    _sign_in(mapped, "erika", ["sozialamt", "leitung"])
    _sign_in(mapped, "erika", ["jobcenter"])
    assert _account(mapped, "erika") == ("staff", ["jobcenter_rkn"])


def test_a_person_in_no_mapped_group_gets_no_account(mapped):
    message = _sign_in(mapped, "fremd", ["kantine"])
    assert "nicht freigegeben" in message
    with mapped.reading() as session:
        assert "fremd" not in [u.username for u in org.list_users(session)]


def test_the_provider_cannot_take_over_a_local_account_of_the_same_name(mapped):
    assert _sign_in(mapped, "other-subject", ["sozialamt"], preferred_username="seed") == "seed-2"
    assert _account(mapped, "seed") == ("staff", ["jobcenter_rkn", "sozialamt_neuss"])


def test_a_provisioned_account_cannot_sign_in_with_a_password(app, mapped):
    _sign_in(mapped, "erika", ["sozialamt"])
    for password in ("", "!sso", "geheim-geheim-42"):
        assert app.test_client().post("/login", data={"username": "erika", "password": password}).status_code == 401


def test_an_identity_is_recognised_by_issuer_and_subject_not_by_name(mapped):
    first = _sign_in(mapped, "sub-1", ["sozialamt"], preferred_username="erika")
    again = _sign_in(mapped, "sub-1", ["sozialamt"], preferred_username="erika.neu")
    assert first == again == "erika"


def test_someone_taken_out_of_every_mapped_group_is_refused_and_their_sessions_end(mapped):
    _sign_in(mapped, "erika", ["sozialamt"])
    with mapped.reading() as session:
        before = org.user_by_name(session, "erika").session_version
    assert "nicht freigegeben" in _sign_in(mapped, "erika", ["kantine"])
    with mapped.reading() as session:
        assert org.user_by_name(session, "erika").session_version > before
