"""Service accounts of specialist systems and their API tokens (stored hashed, shown once, revocable, expiring)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError, NotFound
from engine.identity.models import Unit
from engine.identity.org_reference import active_unit_offices
from engine.store import audit, reference
from engine.store.integration_models import ApiToken, ServiceAccount

# What a token may do; each API operation names the one verb it needs.
VERBS = ("read", "start", "tasks", "messages", "manage", "deploy", "cases", "external")
TOKEN_PREFIX = "kf_"  # noqa: S105 - a marker, not a secret
DEFAULT_DAYS = 365
LAST_USE_STEP = dt.timedelta(minutes=1)  # last use is kept to the minute: no write on every call


class TokenError(KimflowError):
    """A token is missing, unknown, revoked or expired."""


@dataclass(frozen=True)
class Caller:
    """Who calls the API: the actor the engine sees and the verbs the credential allows."""

    actor: Actor
    verbs: frozenset[str]
    key: str  # stable id for rate limits and logs (never the secret)

    def may(self, verb: str) -> bool:
        return verb in self.verbs


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_account(session: Session, name: str, *, units: list[str], verbs: list[str], actor: str) -> ServiceAccount:
    """Create a service account scoped to existing units and known verbs."""
    unknown = set(verbs) - set(VERBS)
    if unknown:
        raise KimflowError(f"Unbekannte Berechtigungen: {', '.join(sorted(unknown))}")
    known = set(session.scalars(select(Unit.code).where(Unit.code.in_(units))))
    if set(units) - known:
        raise KimflowError(f"Unbekannte Einheiten: {', '.join(sorted(set(units) - known))}")
    if session.scalar(select(ServiceAccount).where(ServiceAccount.name == name)) is not None:
        raise KimflowError(f"Ein Dienstkonto {name!r} gibt es bereits")
    account = ServiceAccount(name=name, units=sorted(set(units)), verbs=sorted(set(verbs)), active=True,
                             created_by=actor, created_at=clock.now())
    session.add(account)
    session.flush()
    audit.record(session, actor, "service_account_created", account=name, units=account.units, verbs=account.verbs)
    return account


def issue_token(session: Session, account_id: int, *, actor: str, days: int = DEFAULT_DAYS) -> str:
    """Issue a token for the account and return it in plain text (the only time it is shown)."""
    account = session.get(ServiceAccount, account_id)
    if account is None:
        raise NotFound(f"Dienstkonto {account_id} gibt es nicht")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    now = clock.now()
    session.add(ApiToken(account_id=account.id, prefix=prefix, digest=_digest(secret), created_at=now,
                         expires_at=now + dt.timedelta(days=days)))
    audit.record(session, actor, "api_token_issued", account=account.name, prefix=prefix, days=days)
    return f"{TOKEN_PREFIX}{prefix}_{secret}"


def revoke_token(session: Session, token_id: int, *, actor: str) -> None:
    """Revoke a token at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"Token {token_id} gibt es nicht")
    token.revoked_at = token.revoked_at or clock.now()
    audit.record(session, actor, "api_token_revoked", prefix=token.prefix)


def accounts(session: Session) -> list[tuple[ServiceAccount, list[ApiToken]]]:
    """Return every account with its tokens (newest first), for the administration page."""
    rows = list(session.scalars(select(ServiceAccount).order_by(ServiceAccount.name)))
    tokens = list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
    return [(a, [t for t in tokens if t.account_id == a.id]) for a in rows]


def account_actor(session: Session, name: str, units: list[str]) -> Actor:
    """Return the actor a system acts as: its units and their offices, no personal role."""
    offices = active_unit_offices(session, units)  # cached organisation: no statement while current
    return Actor(name=f"system:{name}", units=frozenset(offices), offices=frozenset(offices.values()),
                 roles=frozenset({"service"}))


def authenticate(session: Session, token: str, now: dt.datetime | None = None) -> Caller:
    """Return the caller a token stands for, or raise TokenError."""
    prefix, _, secret = token.removeprefix(TOKEN_PREFIX).partition("_")
    # Token, account and the reference revision (for the rest of the request) in one statement.
    found = session.execute(select(ApiToken, ServiceAccount, reference.revision_column()).outerjoin(
        ServiceAccount, ServiceAccount.id == ApiToken.account_id).where(ApiToken.prefix == prefix)).first() \
        if prefix and secret else None
    row, account, revision = found if found is not None else (None, None, None)
    reference.note_revision(session, revision)
    if row is None or not hmac.compare_digest(row.digest, _digest(secret)):
        raise TokenError("Unbekanntes API-Token")
    now = now or clock.now()
    if row.revoked_at is not None or row.expires_at <= now or account is None or not account.active:
        raise TokenError("Das API-Token ist widerrufen oder abgelaufen")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_STEP:
        row.last_used_at = now
    actor = account_actor(session, account.name, account.units)
    return Caller(actor, frozenset(account.verbs), f"token:{prefix}")


def account_by_name(session: Session, name: str) -> ServiceAccount | None:
    """Return the service account of an OAuth2 client id (same name), or None; notes the reference revision."""
    found = session.execute(select(ServiceAccount, reference.revision_column())
                            .where(ServiceAccount.name == name)).first()
    if found is None:
        return None
    reference.note_revision(session, found[1])
    return found[0]
