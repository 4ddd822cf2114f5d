"""Routing hooks: resolve an instance's area and, per office, its responsible unit from the data tables."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine.identity.org import resolve_unit
from engine.service.registry import InstanceContext
from workflows.cases.models import Case

AREA_FIELD = "municipality"
CASES_KEY = "kimflow.routing.cases"  # session.info: (transaction, {case_ref: Case}), strong refs
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "_", "-": "_"})


def area_code(text: str | None) -> str | None:
    """Normalise a municipality as people type it ("Jüchen") to its area code ("juechen")."""
    if text is None or not str(text).strip():
        return None
    return str(text).strip().lower().translate(_TRANSLITERATION)


def instance_area(context: InstanceContext) -> str | None:
    """Return the area of the instance's case, else its `municipality` data field."""
    if context.case_ref:
        case = case_in_transaction(context.session, context.case_ref)
        if case is not None and case.area:
            return case.area
    return area_code(context.data.get(AREA_FIELD))


def case_in_transaction(session: Session, case_ref: str) -> Case | None:
    """Return the case, read once per transaction: the session keeps it, so a change in this transaction shows."""
    cases = _transaction_cases(session)
    case = cases.get(case_ref)
    if case is None or case in session.deleted or inspect(case).was_deleted:
        case = session.scalar(select(Case).where(Case.case_ref == case_ref))
        if case is not None:
            cases[case_ref] = case
    return case


def keep_case(session: Session, case: Case) -> None:
    """Hand a case read with something else to this transaction's cache, so routing does not read it again."""
    _transaction_cases(session).setdefault(case.case_ref, case)


def _transaction_cases(session: Session) -> dict[str, Case]:
    transaction = session.get_transaction()
    cached = session.info.get(CASES_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[CASES_KEY] = cached
    return cached[1]  # type: ignore[no-any-return]


def make_area_resolver() -> Callable[[InstanceContext], str | None]:
    """Return the hook the engine calls to learn an instance's area."""
    return instance_area


def make_unit_resolver() -> Callable[[str, InstanceContext], str | None]:
    """Return the hook the engine calls to route a task of `office` to a unit by the instance's area."""

    def resolve(office: str, context: InstanceContext) -> str | None:
        return resolve_unit(context.session, office, instance_area(context))

    return resolve
