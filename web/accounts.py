"""The signed-in user as Flask-Login sees it; the session id carries the account's session version."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import UserMixin

from engine import Actor, NotFound, clock, org
from web.security import services


@dataclass
class SessionUser(UserMixin):
    """A signed-in user: username, display name, role and the Actor the engine sees."""

    username: str
    display_name: str
    role: str
    session_version: int
    actor: Actor
    email: str | None = None

    def get_id(self) -> str:
        # A password change bumps the version, so every older session stops loading: logout everywhere.
        return f"{self.session_version}:{self.username}"

    @property
    def roles(self) -> frozenset[str]:
        return self.actor.roles


def session_user(username: str) -> SessionUser | None:
    """Build the session user of an active account, or None."""
    with services().db.reading() as session:
        try:  # one statement: the user row, units and today's deputyships (NotFound when inactive)
            user, actor = org.account(session, username, clock.now())
        except NotFound:
            return None
        return SessionUser(user.username, user.display_name, user.role, user.session_version, actor, user.email)


def load_user(user_id: str) -> SessionUser | None:
    """Flask-Login's loader: accept the id only while its session version is current."""
    version, _, username = user_id.partition(":")
    if not version.isdigit() or not username:
        return None
    user = session_user(username)
    if user is None or user.session_version != int(version):
        return None
    return user
