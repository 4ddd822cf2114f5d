"""Organisation tables: units, who is responsible where, users, memberships and deputies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base, UTCDateTime

ROLES = ("staff", "manager", "designer", "admin")
LANGUAGES = ("de", "en")
DISTRICT_WIDE = "*"


class Unit(Base):
    """One inbox-owning organisational unit: an office (a kind of authority) in one place."""

    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(100), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Responsibility(Base):
    """Routing data: which unit of an office serves an area ("*" = district-wide default)."""

    __tablename__ = "org_responsibility"
    __table_args__ = (UniqueConstraint("office", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(100))
    area: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))


class User(Base):
    """A person who logs in; the actor name everywhere is the username."""

    __tablename__ = "org_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(300))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="staff")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Bumped on every password change; sessions carrying an older value are invalid ("logout everywhere").
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str] = mapped_column(String(5), default="de")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """A user works in a unit and sees its queue; a team lead also gets the unit's escalations."""

    __tablename__ = "org_membership"
    __table_args__ = (UniqueConstraint("user_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), index=True)
    team_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Deputy(Base):
    """While valid (dates inclusive), `deputy` also works the units of the absent `user`."""

    __tablename__ = "org_deputy"
    __table_args__ = (Index("ix_org_deputy_deputy_until", "deputy_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"))
    deputy_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class LoginAttempt(Base):
    """Failed sign-ins of one account from one address, or of one address overall; shared by all processes."""

    __tablename__ = "login_attempt"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "account:<name>|<address>" or "address:<a>"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ExternalIdentity(Base):
    """The identity provider's subject a user signs in as; the only link between an IdP account and a user."""

    __tablename__ = "org_external_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class GroupMapping(Base):
    """Data an administrator keeps: members of an identity-provider group get a role and/or a unit."""

    __tablename__ = "org_group_mapping"
    __table_args__ = (UniqueConstraint("idp_group", "role", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idp_group: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"))


class TotpFactor(Base):
    """A user's second factor: the encrypted TOTP secret, confirmed once a first code matched."""

    __tablename__ = "org_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(Text)  # Fernet token; the key derives from the app's secret key
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_step: Mapped[int | None] = mapped_column(Integer)  # the last accepted time step: no code twice
