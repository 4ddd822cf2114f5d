"""Seed data for Rhein-Kreis Neuss: municipalities, units and who is responsible where (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.identity import org
from engine.identity.models import DISTRICT_WIDE, Responsibility, Unit
from workflows.catalogue import MUNICIPALITIES, OWN_AUTHORITIES

SEED_ACTOR = "seed"


@dataclass(frozen=True)
class UnitSeed:
    """One unit and the areas it is responsible for ("*" = district-wide)."""

    code: str
    name: str
    office: str
    areas: tuple[str, ...]


def district_units() -> list[UnitSeed]:
    """Return the units of Rhein-Kreis Neuss with their responsibilities."""
    others = tuple(a for a in MUNICIPALITIES if a not in OWN_AUTHORITIES)
    units = [
        UnitSeed("abh_kreis", "Ausländerbehörde Rhein-Kreis Neuss", "abh", (DISTRICT_WIDE, *others)),
        UnitSeed("abh_neuss", "Ausländerbehörde Stadt Neuss", "abh", ("neuss",)),
        UnitSeed("abh_dormagen", "Ausländerbehörde Stadt Dormagen", "abh", ("dormagen",)),
        UnitSeed("ebh_kreis", "Einbürgerungsbehörde Rhein-Kreis Neuss", "ebh", (DISTRICT_WIDE, *others)),
        UnitSeed("ebh_neuss", "Einbürgerungsbehörde Stadt Neuss", "ebh", ("neuss",)),
        UnitSeed("ebh_dormagen", "Einbürgerungsbehörde Stadt Dormagen", "ebh", ("dormagen",)),
        UnitSeed("jobcenter_rkn", "Jobcenter Rhein-Kreis Neuss", "jobcenter", (DISTRICT_WIDE,)),
        UnitSeed("kim_coord", "KIM-Koordination im Kommunalen Integrationszentrum", "kim_coord", (DISTRICT_WIDE,)),
    ]
    for area, (name, _) in MUNICIPALITIES.items():
        prefix = "Stadt" if area != "rommerskirchen" else "Gemeinde"
        units.append(UnitSeed(f"sozialamt_{area}", f"Sozialamt {prefix} {name}", "sozialamt", (area,)))
        units.append(UnitSeed(f"kim_cm_{area}", f"KIM-Fallmanagement {name}", "kim_cm", (area,)))
    return units


def seed_units(session: Session) -> int:
    """Create the district's units and routing rows that are missing; return how many were added.

    Existing units and rows are left alone: an administrator may have changed them since.
    """
    added = 0
    for seed in district_units():
        if session.get(Unit, seed.code) is None:
            org.save_unit(session, seed.code, seed.name, seed.office, actor=SEED_ACTOR)
            added += 1
        current = {r.area for r in org.list_responsibilities(session, office=seed.office)}
        for area in seed.areas:
            if area not in current:
                org.set_responsibility(session, seed.office, area, seed.code, actor=SEED_ACTOR)
                added += 1
    return added


def responsibility_rows(session: Session) -> list[Responsibility]:
    """Return the routing table (for display and tests)."""
    return org.list_responsibilities(session)
