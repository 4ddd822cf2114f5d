"""User accounts: argon2 password hashes, login throttling and the session version."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.core.localtime import german_time
from engine.identity import throttle
from engine.identity.models import LANGUAGES, ROLES, User
from engine.store import audit

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id, memory-hard with the library's recommended parameters
# Verified against unknown usernames so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("kimflow-no-such-user")


class AccountError(KimflowError):
    """A change to a user account was refused (message in German)."""


class AuthStatus(enum.Enum):
    """Why a login attempt succeeded or failed; the web shows `AuthResult.message`."""

    OK = "ok"
    INVALID = "invalid"  # unknown user or wrong password: never tell which
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class AuthResult:
    """The outcome of authenticate(): the user on success, else the reason."""

    status: AuthStatus
    user: User | None = None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status is AuthStatus.OK

    @property
    def message(self) -> str:
        if self.status is AuthStatus.LOCKED and self.locked_until is not None:
            until = german_time(self.locked_until)
            return (f"Zu viele Fehlversuche: Anmeldung von diesem Gerät vorübergehend gesperrt (bis {until} Uhr). "
                    "Eine Administratorin kann die Sperre aufheben.")
        return {AuthStatus.OK: "Angemeldet.",
                AuthStatus.INVALID: "Benutzername oder Passwort ist falsch.",
                AuthStatus.LOCKED: "Das Konto ist vorübergehend gesperrt.",
                AuthStatus.INACTIVE: "Das Konto ist deaktiviert."}[self.status]


@contextmanager
def hash_cost(*, time_cost: int, memory_cost: int) -> Iterator[None]:
    """Hash with other argon2 parameters inside the block (tests and demo seeding use cheap ones)."""
    global _hasher
    previous = _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
    try:
        yield
    finally:
        _hasher = previous


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein")


def user_by_name(session: Session, username: str) -> User:
    """Return the user with this username or raise NotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Benutzer {username!r} gibt es nicht")
    return user


def create_user(session: Session, username: str, display_name: str, password: str, *, actor: str,
                role: str = "staff", email: str | None = None, language: str = "de") -> User:
    """Create an active user with a hashed password."""
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(ROLES)}")
    if language not in LANGUAGES:
        raise AccountError(f"Unbekannte Sprache {language!r}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"Den Benutzernamen {username!r} gibt es bereits")
    check_password_rules(password)
    user = User(username=username, display_name=display_name, email=email,
                password_hash=hash_password(password), role=role, active=True, failed_logins=0,
                session_version=1, language=language, created_at=clock.now())
    session.add(user)
    audit.record(session, actor, "user_created", user=username, role=role)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str, *, actor: str) -> User:
    """Set a new password, lift a lock and end every existing session of the user."""
    check_password_rules(password)
    user = user_by_name(session, username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_logins, user.locked_until = 0, None
    throttle.forget_account(session, username)
    audit.record(session, actor, "password_changed", user=username)
    return user


def update_user(session: Session, username: str, *, actor: str, **changes) -> User:
    """Change display_name, email, role, language or active; ending activity ends sessions too."""
    user = user_by_name(session, username)
    allowed = {"display_name", "email", "role", "language", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise AccountError(f"Diese Angaben können nicht geändert werden: {', '.join(sorted(unknown))}")
    if "role" in changes and changes["role"] not in ROLES:
        raise AccountError(f"Unbekannte Rolle {changes['role']!r}")
    if "language" in changes and changes["language"] not in LANGUAGES:
        raise AccountError(f"Unbekannte Sprache {changes['language']!r}")
    for key, value in changes.items():
        setattr(user, key, value)
    if changes.get("active") is False or "role" in changes:
        user.session_version += 1
    audit.record(session, actor, "user_changed", user=username, fields=sorted(changes))
    return user


def list_users(session: Session, *, active_only: bool = False) -> list[User]:
    """Return users ordered by username."""
    query = select(User).order_by(User.username)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None,
                 address: str = "-") -> AuthResult:
    """Check a login; repeated failures from one address delay further tries from there. Audited."""
    now = now or clock.now()
    waiting = throttle.blocked_until(session, username, address, now)
    if waiting is not None:
        audit.record(session, username[:100], "login_failed", reason="delayed")
        return AuthResult(AuthStatus.LOCKED, locked_until=waiting)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        audit.record(session, username[:100], "login_failed", reason="unknown_user")
        throttle.record_failure(session, username, address, now)  # unknown names wait alike: nothing to learn
        return AuthResult(AuthStatus.INVALID)
    if not verify_password(user.password_hash, password):
        audit.record(session, user.username, "login_failed", reason="password")
        throttle.record_failure(session, username, address, now)
        return AuthResult(AuthStatus.INVALID)
    if not user.active:
        audit.record(session, username, "login_failed", reason="inactive")
        return AuthResult(AuthStatus.INACTIVE)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.record_success(session, username, address)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.record(session, username, "login")
    return AuthResult(AuthStatus.OK, user=user)


def end_sessions(session: Session, username: str, *, actor: str) -> None:
    """Revoke every session of the user on the server (sign-out): a copied cookie stops working."""
    user = session.scalar(select(User).where(User.username == username))
    if user is not None:
        user.session_version += 1
        audit.record(session, actor, "logout", user=username)


def session_is_current(session: Session, username: str, session_version: int) -> bool:
    """Tell whether a login session made with `session_version` is still valid for an active user."""
    user = session.scalar(select(User).where(User.username == username))
    return user is not None and user.active and user.session_version == session_version
