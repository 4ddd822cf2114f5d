"""Spelling-tolerant search keys of a case's person (name parts, birth date), kept in step with the case row.

A key is what two spellings of one name share: "Mohammed", "Muhammad" and "Mohamed" all give "mt"; "Müller" and
"Mueller" give "mlr". The keys live in their own narrow table with an index, so a search at 100,000 cases reads
an index range, never the case rows. They are derived data: anonymising a case empties its names and with them
its keys.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import Connection, Index, String, delete, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.store.db import Base
from workflows.cases.models import Case

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ø": "oe", "æ": "ae"})
# Letters that transliterations swap (d/t, k/c/q/g, f/v/w/ph, s/z/x, j/y) fall into one class each.
_CLASSES = str.maketrans({"b": "p", "d": "t", "c": "k", "q": "k", "g": "k", "v": "f", "w": "f", "z": "s",
                          "x": "s", "j": "y"})
_SILENT = set("aeiouh")
_WORD = re.compile(r"[a-z]+")
BIRTH_PREFIX = "d:"
FIELDS = ("given_name", "family_name", "birth_date")


class PersonKey(Base):
    """One search key of a case's person: a name part's skeleton or the birth date."""

    __tablename__ = "kim_person_key"
    __table_args__ = (Index("ix_kim_person_key_case", "case_ref"),)

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100), primary_key=True)


def fold(text: str | None) -> str:
    """Return text in lower-case ASCII: umlauts as ae/oe/ue, other accents dropped ("Çelik" -> "celik")."""
    lowered = (text or "").lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def word_key(word: str) -> str:
    """Return the skeleton of one folded word: its first letter, then its consonant classes without repeats."""
    if not word:
        return ""
    body = word.replace("ph", "f").translate(_CLASSES)
    letters = [body[0].translate(_CLASSES)] + [c for c in body[1:] if c not in _SILENT]
    key = [c for i, c in enumerate(letters) if i == 0 or c != letters[i - 1]]
    return "".join(key)[:40]


def name_keys(text: str | None) -> list[str]:
    """Return the keys of each part of a name as people type it ("Haddad, Amina" -> ["ht", "amn"])."""
    return [k for k in dict.fromkeys(word_key(w) for w in _WORD.findall(fold(text))) if k]


def birth_key(value: dt.date | None) -> str | None:
    """Return the key of a birth date."""
    return f"{BIRTH_PREFIX}{value.isoformat()}" if value else None


def keys_of(given_name: str | None, family_name: str | None, birth_date: dt.date | None) -> set[str]:
    """Return every key of one person."""
    keys = set(name_keys(given_name)) | set(name_keys(family_name))
    born = birth_key(birth_date)
    return keys | {born} if born else keys


def write_keys(connection: Connection, case_ref: str, keys: Iterable[str]) -> None:
    """Replace the keys of one case."""
    connection.execute(delete(PersonKey).where(PersonKey.case_ref == case_ref))
    rows = [{"key": k, "case_ref": case_ref} for k in sorted(set(keys))]
    if rows:
        connection.execute(insert(PersonKey), rows)


def _on_insert(_mapper, connection: Connection, case: Case) -> None:
    write_keys(connection, case.case_ref, keys_of(case.given_name, case.family_name, case.birth_date))


def _on_update(_mapper, connection: Connection, case: Case) -> None:
    state = inspect(case)
    if any(state.attrs[name].history.has_changes() for name in FIELDS):
        write_keys(connection, case.case_ref, keys_of(case.given_name, case.family_name, case.birth_date))


def install() -> None:
    """Keep the keys in step with every insert and change of a case row (idempotent; the composition roots call it)."""
    for name, listener in (("after_insert", _on_insert), ("after_update", _on_update)):
        if not event.contains(Case, name, listener):
            event.listen(Case, name, listener)


def reindex(session: Session) -> int:
    """Write the keys of every case again (after an import, or for cases written before the keys existed)."""
    count = 0
    connection = session.connection()
    for ref, given, family, born in session.execute(
            select(Case.case_ref, Case.given_name, Case.family_name, Case.birth_date)):
        write_keys(connection, ref, keys_of(given, family, born))
        count += 1
    return count
