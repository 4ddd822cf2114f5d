"""Single sign-on: users provisioned just in time from verified identity-provider claims, with roles and units
taken from the group mapping (data an administrator keeps), never from code."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.identity.models import ROLES, ExternalIdentity, GroupMapping, Membership, Unit, User
from engine.store import audit

# Not an argon2 hash: verify_password() is always False, so an SSO account has no local sign-in.
UNUSABLE_PASSWORD = "!sso"  # noqa: S105
_NAME_CHARS = re.compile(r"[^a-z0-9._-]+")


class SsoError(KimflowError):
    """A single sign-on was refused or a mapping change was invalid (message in German)."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of sign_in(): the user, or the German reason for the refusal (already audited)."""

    user: User | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


@dataclass(frozen=True)
class Grant:
    """What a set of identity-provider groups grants: one role and the units worked in."""

    role: str
    units: frozenset[str]


# -- the mapping (administrators' data) -----------------------------------------------------------
def list_mappings(session: Session) -> list[GroupMapping]:
    """Return every mapping row ordered by group."""
    return list(session.scalars(select(GroupMapping).order_by(GroupMapping.idp_group, GroupMapping.id)))


def add_mapping(session: Session, idp_group: str, *, role: str | None, unit_code: str | None,
                actor: str) -> GroupMapping:
    """Map a group to a role, a unit or both; refuse unknown roles and units and duplicates."""
    idp_group = idp_group.strip()
    if not idp_group or len(idp_group) > 200:
        raise SsoError("Bitte eine Gruppe angeben (höchstens 200 Zeichen).")
    if role is None and unit_code is None:
        raise SsoError("Eine Zuordnung braucht eine Rolle, eine Stelle oder beides.")
    if role is not None and role not in ROLES:
        raise SsoError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(ROLES)}")
    if unit_code is not None and session.get(Unit, unit_code) is None:
        raise SsoError(f"Die Stelle {unit_code!r} gibt es nicht.")
    duplicate = select(GroupMapping.id).where(GroupMapping.idp_group == idp_group, GroupMapping.role.is_(None)
                                              if role is None else GroupMapping.role == role,
                                              GroupMapping.unit_code.is_(None) if unit_code is None
                                              else GroupMapping.unit_code == unit_code)
    if session.scalar(duplicate) is not None:
        raise SsoError("Diese Zuordnung gibt es bereits.")
    row = GroupMapping(idp_group=idp_group, role=role, unit_code=unit_code)
    session.add(row)
    session.flush()
    audit.record(session, actor, "group_mapping_added", mapping=row.id, role=role, unit=unit_code)
    return row


def remove_mapping(session: Session, mapping_id: int, *, actor: str) -> None:
    """Delete one mapping row (users lose what it granted at their next sign-in)."""
    row = session.get(GroupMapping, mapping_id)
    if row is None:
        raise NotFound("Diese Zuordnung gibt es nicht (mehr).")
    session.delete(row)
    audit.record(session, actor, "group_mapping_removed", mapping=mapping_id, role=row.role, unit=row.unit_code)


def grant_for(session: Session, groups: list[str]) -> Grant | None:
    """Return what the groups grant under the mapping, or None when no row matches (no access)."""
    rows = session.scalars(select(GroupMapping).where(GroupMapping.idp_group.in_(groups[:500]))).all() \
        if groups else []
    if not rows:
        return None
    roles = [row.role for row in rows if row.role]
    role = max(roles, key=ROLES.index) if roles else "staff"  # the highest mapped role
    return Grant(role=role, units=frozenset(row.unit_code for row in rows if row.unit_code))


# -- just-in-time provisioning -------------------------------------------------------------------
def sign_in(session: Session, *, issuer: str, subject: str, claims: dict, groups: list[str],
            now: dt.datetime | None = None) -> SignInResult:
    """Find or create the user of this verified identity and apply the mapping; refuse unmapped groups.

    A refusal is returned, not raised, so that its audit row and ended sessions are committed with it.
    """
    now = now or clock.now()
    link = session.scalar(select(ExternalIdentity).where(ExternalIdentity.issuer == issuer,
                                                         ExternalIdentity.subject == subject))
    user = session.get(User, link.user_id) if link is not None else None
    grant = grant_for(session, [str(g) for g in groups if isinstance(g, str)])
    if grant is None:
        if user is not None:
            user.session_version += 1  # removed from every mapped group: sessions end too
        audit.record(session, user.username if user else "anonym", "login_failed", reason="sso_unmapped")
        return SignInResult(None, "Ihr Konto beim Anmeldedienst ist für kimflow nicht freigegeben. Bitte wenden "
                                  "Sie sich an die Administration.")
    if user is None:
        user = _provision(session, issuer, subject, claims, now)
    elif not user.active:
        audit.record(session, user.username, "login_failed", reason="inactive")
        return SignInResult(None, "Das Konto ist deaktiviert.")
    _apply(session, user, grant, claims)
    user.last_login_at = now
    audit.record(session, user.username, "login", method="oidc")
    return SignInResult(user)


def _provision(session: Session, issuer: str, subject: str, claims: dict, now: dt.datetime) -> User:
    username = _free_username(session, claims, subject)
    user = User(username=username, display_name=_display_name(claims, username), email=_email(claims),
                password_hash=UNUSABLE_PASSWORD, role="staff", active=True, failed_logins=0, session_version=1,
                language="de", created_at=now)
    session.add(user)
    session.flush()
    session.add(ExternalIdentity(user_id=user.id, issuer=issuer[:300], subject=subject[:255], created_at=now))
    audit.record(session, "system", "user_created", user=username, method="oidc")
    return user


def _apply(session: Session, user: User, grant: Grant, claims: dict) -> None:
    """Make role and memberships exactly what the mapping grants; a changed role ends older sessions."""
    if user.role != grant.role:
        user.role = grant.role
        user.session_version += 1
    user.display_name = _display_name(claims, user.display_name)
    current = set(session.scalars(select(Membership.unit_code).where(Membership.user_id == user.id)))
    for code in grant.units - current:
        session.add(Membership(user_id=user.id, unit_code=code, team_lead=False))
    gone = current - grant.units
    if gone:
        session.execute(delete(Membership).where(Membership.user_id == user.id, Membership.unit_code.in_(gone)))
    if gone or grant.units - current:
        audit.record(session, "system", "memberships_synced", user=user.username, units=sorted(grant.units))


def _free_username(session: Session, claims: dict, subject: str) -> str:
    """Derive a username from the claims; never take over an existing account of the same name."""
    wanted = str(claims.get("preferred_username") or str(claims.get("email") or "").partition("@")[0] or subject)
    base = _NAME_CHARS.sub("-", wanted.lower()).strip("-._")[:80] or "sso"
    name, number = base, 1
    while session.scalar(select(User.id).where(User.username == name)) is not None:
        number += 1
        name = f"{base}-{number}"
    return name


def _display_name(claims: dict, fallback: str) -> str:
    name = claims.get("name") or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    return str(name or fallback)[:200]


def _email(claims: dict) -> str | None:
    email = claims.get("email")
    return str(email)[:300] if isinstance(email, str) and "@" in email else None
