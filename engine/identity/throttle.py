"""Sign-in throttling shared by every server process: a progressive delay per account and address.

A hard lock per account would let anyone lock a colleague out by typing wrong passwords for a predictable
username. Here the delay grows only for the address that fails; the colleague at their own desk signs in.
An address that fails across many accounts (password spraying) is held back as a whole.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engine.identity.models import LoginAttempt
from engine.store import audit

FREE_FAILURES = 3  # failures per account and address before the first delay
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
ADDRESS_LIMIT = 20  # failures from one address within ADDRESS_WINDOW, across all accounts
ADDRESS_WINDOW = dt.timedelta(minutes=15)


def _account_key(username: str, address: str) -> str:
    return f"account:{username[:100]}|{address[:100]}"


def _address_key(address: str) -> str:
    return f"address:{address[:100]}"


def blocked_until(session: Session, username: str, address: str, now: dt.datetime) -> dt.datetime | None:
    """Return until when this account may not be tried from this address (None: it may be tried now)."""
    keys = [_account_key(username, address), _address_key(address)]
    rows = session.scalars(select(LoginAttempt).where(LoginAttempt.key.in_(keys))).all()
    until = [row.blocked_until for row in rows if row.blocked_until is not None and row.blocked_until > now]
    return max(until) if until else None


def record_failure(session: Session, username: str, address: str, now: dt.datetime) -> None:
    """Count a failed attempt; from the fourth on, the next try of this account from here waits longer."""
    account = _row(session, _account_key(username, address), now)
    account.failures += 1
    if account.failures > FREE_FAILURES:
        delay = min(FIRST_DELAY * 2 ** (account.failures - FREE_FAILURES - 1), MAX_DELAY)
        account.blocked_until = now + delay
    spraying = _row(session, _address_key(address), now)
    if spraying.first_failed_at < now - ADDRESS_WINDOW:
        spraying.failures, spraying.first_failed_at = 0, now
    spraying.failures += 1
    if spraying.failures >= ADDRESS_LIMIT:
        spraying.blocked_until = now + ADDRESS_WINDOW


def record_success(session: Session, username: str, address: str) -> None:
    """Forget this account's failures from this address."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == _account_key(username, address)))


def unlock(session: Session, username: str, *, actor: str) -> int:
    """Lift every delay on an account (an administrator's action, audited); return how many were lifted."""
    lifted = forget_account(session, username)
    audit.record(session, actor, "login_unlocked", user=username)
    return lifted


def forget_account(session: Session, username: str) -> int:
    """Delete the account's failure counts (passwords from every address, codes); return how many there were."""
    rows = session.scalars(select(LoginAttempt).where(or_(LoginAttempt.key.like(f"account:{username[:100]}|%"),
                                                          LoginAttempt.key == _second_factor_key(username)))).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def _row(session: Session, key: str, now: dt.datetime) -> LoginAttempt:
    row = session.get(LoginAttempt, key)
    if row is None:
        row = LoginAttempt(key=key, failures=0, first_failed_at=now, blocked_until=None)
        session.add(row)
    return row


def _second_factor_key(username: str) -> str:
    # Per account, from every address, and not cleared by a right password: whoever knows the password may
    # not guess codes faster by signing in again.
    return f"second_factor:{username[:100]}"


def second_factor_blocked(session: Session, username: str, now: dt.datetime) -> bool:
    """Tell whether codes for this account are refused for now after repeated wrong ones."""
    row = session.get(LoginAttempt, _second_factor_key(username))
    return row is not None and row.blocked_until is not None and row.blocked_until > now


def record_second_factor(session: Session, username: str, now: dt.datetime, *, ok: bool) -> None:
    """Count a wrong code (from the fourth on, codes wait longer) or forget the count after a right one."""
    if ok:
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == _second_factor_key(username)))
        return
    row = _row(session, _second_factor_key(username), now)
    row.failures += 1
    if row.failures > FREE_FAILURES:
        row.blocked_until = now + min(FIRST_DELAY * 2 ** (row.failures - FREE_FAILURES - 1), MAX_DELAY)
