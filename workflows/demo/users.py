"""Demo accounts: one clerk per unit (its team lead) plus a manager, a process designer and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.identity import org
from engine.identity.accounts import hash_password
from engine.identity.models import User
from engine.store import audit
from workflows.seed import SEED_ACTOR, district_units

DEMO_PASSWORD = "kimflow-demo-2026"  # noqa: S105 - the documented shared demo password
CLERK_NAMES = ("Julia Becker", "Thomas Wagner", "Sabine Hoffmann", "Markus Schäfer", "Katrin Koch", "Stefan Richter",
               "Anja Klein", "Michael Wolf", "Nicole Schröder", "Andreas Neumann", "Claudia Schwarz",
               "Frank Zimmermann", "Petra Braun", "Jens Krüger", "Melanie Hofmann", "Daniel Hartmann",
               "Sandra Lange", "Tobias Schmitt", "Birgit Werner", "Sven Krause", "Heike Meier", "Lars Lehmann",
               "Monika Schmid", "Oliver Schulz")


@dataclass(frozen=True)
class DemoUser:
    """A demo account as `kimflow demo --json` prints it."""

    username: str
    display_name: str
    role: str
    units: tuple[str, ...]
    office: str | None = None
    team_lead: bool = False  # team lead of its units: escalations name this user as candidate

    def as_dict(self) -> dict:
        return {"username": self.username, "password": DEMO_PASSWORD, "role": self.role, "units": list(self.units)}

    def actor(self) -> Actor:
        """Return the actor this user acts as (without reading the database)."""
        return Actor(name=self.username, units=frozenset(self.units),
                     offices=frozenset({self.office} if self.office else set()), roles=frozenset({self.role}))


def demo_users() -> list[DemoUser]:
    """Return the demo accounts: unit clerks first, then manager, designer and administrator."""
    users = [DemoUser(seed.code.replace("_", "-"), f"{CLERK_NAMES[i % len(CLERK_NAMES)]} ({seed.name})", "staff",
                      (seed.code,), seed.office, team_lead=True) for i, seed in enumerate(district_units())]
    return users + [
        DemoUser("leitung", "Gabriele Fischer (Leitung KI)", "manager", ("kim_coord",), "kim_coord"),
        DemoUser("designer", "Martin Vogel (Prozessdesign)", "designer", ()),
        DemoUser("admin", "Ute Berger (Administration)", "admin", ()),
    ]


def ensure_users(session: Session) -> list[DemoUser]:
    """Create the demo accounts that do not exist yet (one shared password), their memberships and team leads.

    Team leads are marked only for accounts created now, so a second run keeps an administrator's changes.
    """
    users = demo_users()
    existing = set(session.scalars(select(User.username).where(User.username.in_([u.username for u in users]))))
    # One argon2 hash (about 0.3 s each, memory-hard by design) serves every account of the shared password.
    shared_hash = hash_password(DEMO_PASSWORD) if len(existing) < len(users) else ""
    for user in users:
        if user.username not in existing:
            session.add(User(username=user.username, display_name=user.display_name, password_hash=shared_hash,
                             role=user.role, active=True, failed_logins=0, session_version=1, language="de",
                             created_at=clock.now()))
            audit.record(session, SEED_ACTOR, "user_created", user=user.username, role=user.role)
            session.flush()
        for unit in user.units:
            org.add_membership(session, user.username, unit, actor=SEED_ACTOR)
            if user.team_lead and user.username not in existing:
                org.set_team_lead(session, user.username, unit, actor=SEED_ACTOR)
    return users
