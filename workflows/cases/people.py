"""The person behind a case number: name search and display names for the engine's inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from engine.core.actors import Actor
from workflows.cases.models import Case
from workflows.cases.visibility import named_case_refs


class CasePeople:
    """The engine's PersonDirectory for KIM: business references are case numbers."""

    def matching(self, text: str) -> Select:
        """Return the case numbers whose person's name contains `text`."""
        like = f"%{text}%"
        given, family = func.coalesce(Case.given_name, ""), func.coalesce(Case.family_name, "")
        return select(Case.case_ref).where(or_((given + " " + family).ilike(like), Case.family_name.ilike(like),
                                               (family + ", " + given).ilike(like)))

    def names(self, session: Session, refs: set[str]) -> dict[str, str]:
        """Return "Family, Given" for each case number."""
        rows = session.execute(select(Case.case_ref, Case.given_name, Case.family_name)
                               .where(Case.case_ref.in_(sorted(refs))))
        return {ref: ", ".join(p for p in (family, given) if p) for ref, given, family in rows}


class NeedToKnowPeople:
    """A person directory narrowed to the cases whose master data one actor may see (names and name search)."""

    def __init__(self, inner: CasePeople | Any, session: Session, actor: Actor, now: dt.datetime | None = None):
        self.inner = inner
        self.allowed = named_case_refs(session, actor, now)

    def matching(self, text: str) -> Select:
        """Return the case numbers whose person matches `text` and whose name the actor may see."""
        return select(Case.case_ref).where(Case.case_ref.in_(self.inner.matching(text)),
                                           Case.case_ref.in_(self.allowed))

    def names(self, session: Session, refs: set[str]) -> dict[str, str]:
        """Return the names of those `refs` the actor may see."""
        seen = set(session.scalars(self.allowed.where(Case.case_ref.in_(sorted(refs))))) if refs else set()
        return self.inner.names(session, seen) if seen else {}
