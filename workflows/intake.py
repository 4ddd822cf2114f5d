"""Intake of a referral for case management: check the data, open the case, start kim_case, record the first consent.

One transaction: the case, the kim_case instance (whose start opens the case, workflows.cases.link) and the first
consent rows are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError
from engine.core.localtime import local_date
from engine.store import audit
from engine.store.models import ProcessInstance
from workflows.cases import consent
from workflows.cases.link import CASE_PROCESS
from workflows.cases.models import CATEGORIES, Case
from workflows.catalogue import MUNICIPALITIES, OFFICES_ASKED

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

# The ways a referral reaches case management (the ids of record_referral's "source" choice).
SOURCES = {"office": "Behörde / Amt", "walk_in": "Selbstmelder/in", "welfare": "Wohlfahrtsverband / Migrationsberatung"}
DEFAULT_CONSENT_CATEGORIES = ("stammdaten", "aufenthalt", "leistungen")
CONSENT_PURPOSE = "Abstimmung im KIM-Fallmanagement"
MAX_TEXT = 200
MAX_HOUSEHOLD = 20
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class IntakeError(KimflowError):
    """The referral could not be recorded (message in German)."""


@dataclass
class Referral:
    """What the intake form says about the person and their first consent."""

    given_name: str
    family_name: str
    birth_date: dt.date | None
    municipality: str
    source: str
    nationality: str = ""
    language: str = ""
    household: list[dict[str, str]] = field(default_factory=list)
    consent_offices: list[str] = field(default_factory=list)
    consent_categories: list[str] = field(default_factory=list)
    consent_until: dt.date | None = None
    health_data: bool = False

    def start_data(self) -> dict[str, Any]:
        """Return the start data of kim_case (the keys workflows.cases.link reads, and record_referral's fields)."""
        data: dict[str, Any] = {"given_name": self.given_name, "family_name": self.family_name,
                                "municipality": self.municipality, "source": self.source,
                                "household": self.household}
        if self.birth_date:
            data["birth_date"] = self.birth_date.isoformat()
        if self.nationality:
            data["nationality"] = self.nationality
        if self.language:
            data["language"] = self.language
        return data


def _text(raw: Mapping[str, Any], key: str) -> str:
    return str(raw.get(key) or "").strip()[:MAX_TEXT]


def _date(raw: str, errors: dict[str, list[str]], key: str, *, earliest: dt.date, latest: dt.date) -> dt.date | None:
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw) if "-" in raw else dt.datetime.strptime(raw, "%d.%m.%Y").date()
    except ValueError:
        errors.setdefault(key, []).append("Bitte ein Datum als TT.MM.JJJJ angeben")
        return None
    if not earliest <= value <= latest:
        errors.setdefault(key, []).append("Das Datum ist nicht plausibel")
        return None
    return value


def household_members(text: str) -> list[dict[str, str]]:
    """Read one household member per line: "Name, Beziehung"."""
    members = []
    for line in text.splitlines()[:MAX_HOUSEHOLD]:
        name, _, relation = line.partition(",")
        if name.strip():
            members.append({"name": name.strip()[:MAX_TEXT], "relation": relation.strip()[:MAX_TEXT]})
    return members


def parse_referral(raw: Mapping[str, Any], lists: Mapping[str, list[str]]) -> tuple[Referral | None, dict]:
    """Check the intake form; return the referral, or None and German errors per field."""
    errors: dict[str, list[str]] = {}
    today = local_date(clock.now())
    for key in ("given_name", "family_name"):
        if not _text(raw, key):
            errors[key] = ["Pflichtfeld"]
    birth = _date(_text(raw, "birth_date"), errors, "birth_date", earliest=EARLIEST_BIRTH, latest=today)
    municipality, source = _text(raw, "municipality"), _text(raw, "source")
    if municipality not in MUNICIPALITIES:
        errors["municipality"] = ["Bitte den Wohnort wählen"]
    if source not in SOURCES:
        errors["source"] = ["Bitte den Zugang wählen"]
    offices = [o for o in lists.get("consent_offices", []) if o in OFFICES_ASKED]
    categories = [c for c in lists.get("consent_categories", []) if c in CATEGORIES and c != "gesundheit"]
    until = _date(_text(raw, "consent_until"), errors, "consent_until", earliest=today,
                  latest=today + dt.timedelta(days=5 * 366))
    if offices and raw.get("revocation_explained") not in ("true", "on", "1"):
        errors["revocation_explained"] = ["Bitte bestätigen, dass das Widerrufsrecht erklärt wurde"]
    if errors:
        return None, errors
    health = raw.get("health_data") in ("true", "on", "1")
    return Referral(_text(raw, "given_name"), _text(raw, "family_name"), birth, municipality, source,
                    nationality=_text(raw, "nationality"), language=_text(raw, "language"),
                    household=household_members(str(raw.get("household") or "")[:4000]), consent_offices=offices,
                    consent_categories=(categories or list(DEFAULT_CONSENT_CATEGORIES)) + (
                        ["gesundheit"] if health else []),
                    consent_until=until, health_data=health), {}


@dataclass(frozen=True)
class Opened:
    """The case an intake opened and the kim_case instance it started."""

    case_ref: str
    instance_id: int


def open_referral(engine: ProcessEngine, referral: Referral, *, actor: Actor) -> Opened:
    """Open the case by starting kim_case and record the first consent, in one transaction."""
    with engine.db.unit_of_work() as session:
        instance_id = engine.start(CASE_PROCESS, actor=actor, data=referral.start_data())
        case_ref = session.scalar(select(ProcessInstance.case_ref).where(ProcessInstance.id == instance_id))
        if case_ref is None:
            raise IntakeError("Der Fall konnte nicht angelegt werden: Fallmanagement-Prozess nicht eingerichtet")
        for office in referral.consent_offices:
            consent.record_consent(session, case_ref, office, referral.consent_categories, CONSENT_PURPOSE,
                                   actor=actor.name, valid_from=local_date(clock.now()),
                                   valid_until=referral.consent_until, health_data=referral.health_data)
        audit.record(session, actor.name, "case_intake", case_ref=case_ref, instance_id=instance_id,
                     source=referral.source, consent_offices=sorted(referral.consent_offices))
        return Opened(case_ref, instance_id)


def continue_case(engine: ProcessEngine, case_ref: str, *, actor: Actor) -> int | None:
    """Start kim_case again for an existing case unless one runs; return the new instance id, or None."""
    with engine.db.unit_of_work() as session:
        running = session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.case_ref == case_ref, ProcessInstance.process_id == CASE_PROCESS,
            ProcessInstance.status.in_(("running", "suspended", "error"))).limit(1))
        if running is not None:
            return None
        area = session.scalar(select(Case.area).where(Case.case_ref == case_ref))
        data = {"municipality": area} if area else {}
        instance_id = engine.start(CASE_PROCESS, actor=actor, data=data, case_ref=case_ref)
        audit.record(session, actor.name, "case_intake_continued", case_ref=case_ref, instance_id=instance_id)
        return instance_id
