"""Find a person's case by name (spelling-tolerant), birth date or case number, as far as need-to-know allows.

Name and birth date are searched only among the cases whose person's name the actor may see (named_case_refs);
a case number only among the cases the actor may open (visible_conditions). Every search is audited with the
criteria used and the number of hits, never with what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.store import audit
from workflows.cases.models import Case
from workflows.cases.visibility import named_case_refs, named_conditions, rows_within, visible_conditions
from workflows.person_keys import PersonKey, birth_key, name_keys

MAX_HITS = 50


@dataclass(frozen=True)
class PersonHit:
    """A case found for a person; name and birth date only where the actor may see them."""

    case_ref: str
    area: str | None
    status: str
    opened_at: dt.datetime
    name: str | None
    birth_date: dt.date | None


def _with_key(query: Select, key: str) -> Select:
    return query.where(Case.case_ref.in_(select(PersonKey.case_ref).where(PersonKey.key == key)))


def _hits(session: Session, actor: Actor, query: Select, now: dt.datetime, limit: int) -> list[PersonHit]:
    cases = list(session.scalars(query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit)))
    refs = [c.case_ref for c in cases]
    named = set(session.scalars(named_case_refs(session, actor, now).where(Case.case_ref.in_(refs)))) if refs else set()
    return [PersonHit(c.case_ref, c.area, c.status, c.opened_at,
                      ", ".join(p for p in (c.family_name, c.given_name) if p) if c.case_ref in named else None,
                      c.birth_date if c.case_ref in named else None) for c in cases]


def search(session: Session, actor: Actor, *, name: str = "", birth_date: dt.date | None = None,
           case_ref: str = "", limit: int = MAX_HITS) -> list[PersonHit]:
    """Return the cases matching every given criterion that the actor may see; the search is audited."""
    now = clock.now()
    criteria = [c for c, given in (("name", name.strip()), ("birth_date", birth_date), ("case_ref", case_ref.strip()))
                if given]
    keys = name_keys(name)
    hits: list[PersonHit] = []
    if criteria and not (name.strip() and not keys):
        query = select(Case)
        if case_ref.strip():
            query = query.where(Case.case_ref == case_ref.strip().upper())
        for key in [*keys, *([birth_key(birth_date)] if birth_date else [])]:
            query = _with_key(query, str(key))
        # The criteria pick few cases through their indexes; visibility is then checked row by row. A name or
        # birth date is searched among the cases whose name the actor may see: all of them openable, so one check.
        allowed = named_conditions if keys or birth_date else visible_conditions
        query = rows_within(query, allowed(session, actor, now, seek=False))
        hits = _hits(session, actor, query, now, limit)
    audit.record(session, actor.name, "person_searched", criteria=criteria, results=len(hits))
    return hits


def possible_duplicates(session: Session, actor: Actor, *, given_name: str, family_name: str,
                        birth_date: dt.date | None, limit: int = 10) -> list[PersonHit]:
    """Return visible cases of a person who may be the one being referred (tolerant name, same birth date)."""
    now = clock.now()
    family, given = name_keys(family_name), name_keys(given_name)
    if not family:
        return []
    query = rows_within(select(Case), named_conditions(session, actor, now, seek=False))
    if birth_date is not None:
        # Same birth date and one family-name part in any name part: also catches given and family name swapped.
        query = _with_key(query, str(birth_key(birth_date))).where(
            Case.case_ref.in_(select(PersonKey.case_ref).where(PersonKey.key.in_(family))))
    else:
        for key in [*family, *given]:
            query = _with_key(query, key)
    hits = _hits(session, actor, query, now, limit)
    audit.record(session, actor.name, "duplicate_check", results=len(hits))
    return hits
