"""An optional second factor: time-based one-time passwords (RFC 6238) with an encrypted secret per user."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Literal

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError
from engine.identity import throttle
from engine.identity.models import TotpFactor, User
from engine.store import audit

ROLES_WITH_FACTOR = ("admin", "designer")  # who may enrol (the brief: administrators and designers)
ISSUER = "kimflow"


class TotpError(KimflowError):
    """An enrolment step was refused (message in German)."""


def _fernet(secret_key: str) -> Fernet:
    # A key of its own, derived from the app's secret key: the database alone does not reveal a secret.
    digest = hashlib.sha256(b"kimflow-totp\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TotpError("Diesen Benutzer gibt es nicht.")
    return user


def _factor(session: Session, username: str) -> TotpFactor | None:
    return session.scalar(select(TotpFactor).join(User, User.id == TotpFactor.user_id)
                          .where(User.username == username))


def is_enabled(session: Session, username: str) -> bool:
    """Tell whether the user has a confirmed second factor (sign-in then asks for a code)."""
    factor = _factor(session, username)
    return factor is not None and factor.confirmed_at is not None


def start_enrolment(session: Session, username: str, *, secret_key: str) -> str:
    """Give the user a new, not yet confirmed secret (replacing an unconfirmed one); return it."""
    user = _user(session, username)
    if user.role not in ROLES_WITH_FACTOR:
        raise TotpError("Ein zweiter Faktor ist für Administration und Prozessgestaltung vorgesehen.")
    factor = session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise TotpError("Der zweite Faktor ist bereits eingerichtet.")
    secret = pyotp.random_base32()
    token = _fernet(secret_key).encrypt(secret.encode()).decode()
    if factor is None:
        session.add(TotpFactor(user_id=user.id, secret=token))
    else:
        factor.secret, factor.last_step = token, None
    return secret


def pending_secret(session: Session, username: str, *, secret_key: str) -> str | None:
    """Return the secret of an enrolment not yet confirmed, or None."""
    factor = _factor(session, username)
    if factor is None or factor.confirmed_at is not None:
        return None
    return _decrypt(factor, secret_key)


def provisioning_uri(secret: str, username: str) -> str:
    """Return the otpauth:// URI an authenticator app reads (as QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def confirm(session: Session, username: str, code: str, *, secret_key: str,
            now: dt.datetime | None = None) -> bool:
    """Switch the factor on when the first code matches; audited."""
    factor = _factor(session, username)
    if factor is None or factor.confirmed_at is not None or not _accept(factor, code, secret_key, now):
        return False
    factor.confirmed_at = now or clock.now()
    audit.record(session, username, "totp_enabled")
    return True


def verify(session: Session, username: str, code: str, *, secret_key: str,
           now: dt.datetime | None = None) -> Literal["ok", "wrong", "delayed"]:
    """Check a code at sign-in; a code already used is refused, and repeated wrong codes delay further ones."""
    now = now or clock.now()
    if throttle.second_factor_blocked(session, username, now):
        audit.record(session, username, "login_failed", reason="second_factor_delayed")
        return "delayed"
    factor = _factor(session, username)
    ok = factor is not None and factor.confirmed_at is not None and _accept(factor, code, secret_key, now)
    throttle.record_second_factor(session, username, now, ok=ok)
    if ok:
        audit.record(session, username, "login_second_factor")
        return "ok"
    audit.record(session, username, "login_failed", reason="second_factor")
    return "wrong"


def reset(session: Session, username: str, *, actor: str) -> bool:
    """Remove the user's factor (recovery by an administrator); return whether there was one. Audited."""
    user = _user(session, username)
    factor = session.get(TotpFactor, user.id)
    if factor is None:
        return False
    session.delete(factor)
    user.session_version += 1
    audit.record(session, actor, "totp_reset", user=username)
    return True


def _decrypt(factor: TotpFactor, secret_key: str) -> str | None:
    try:
        return _fernet(secret_key).decrypt(factor.secret.encode()).decode()
    except InvalidToken:
        return None  # the secret key changed: only an administrator's reset helps


def _accept(factor: TotpFactor, code: str, secret_key: str, now: dt.datetime | None) -> bool:
    secret = _decrypt(factor, secret_key)
    code = "".join(code.split())
    if secret is None or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or clock.now())
    for step in (current - 1, current, current + 1):  # one step of clock drift either way
        if hmac.compare_digest(totp.generate_otp(step), code):
            if factor.last_step is not None and step <= factor.last_step:
                return False
            factor.last_step = step
            return True
    return False
