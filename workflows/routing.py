"""Routing hooks: resolve an instance's area and, per office, its responsible unit from the data tables."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine.identity.org import resolve_unit
from engine.service.registry import InstanceContext
from workflows.cases.models import Case

AREA_FIELD = "municipality"
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "_", "-": "_"})


def area_code(text: str | None) -> str | None:
    """Normalise a municipality as people type it ("Jüchen") to its area code ("juechen")."""
    if text is None or not str(text).strip():
        return None
    return str(text).strip().lower().translate(_TRANSLITERATION)


def instance_area(context: InstanceContext) -> str | None:
    """Return the area of the instance's case, else its `municipality` data field."""
    if context.case_ref:
        area = context.session.scalar(select(Case.area).where(Case.case_ref == context.case_ref))
        if area:
            return area
    return area_code(context.data.get(AREA_FIELD))


def make_area_resolver() -> Callable[[InstanceContext], str | None]:
    """Return the hook the engine calls to learn an instance's area."""
    return instance_area


def make_unit_resolver() -> Callable[[str, InstanceContext], str | None]:
    """Return the hook the engine calls to route a task of `office` to a unit by the instance's area."""

    def resolve(office: str, context: InstanceContext) -> str | None:
        return resolve_unit(context.session, office, instance_area(context))

    return resolve
