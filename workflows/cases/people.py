"""The person behind a case number: name search and display names for the engine's inbox."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from workflows.cases.models import Case


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
