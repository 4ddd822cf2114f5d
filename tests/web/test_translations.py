"""The English catalogue covers every text of the workspace and the compiled .mo matches it."""

from __future__ import annotations

import gettext
import subprocess
import sys

from babel.messages.pofile import read_po

from web.i18n import catalog

PO = catalog.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = catalog.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"


def _po():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _ids(messages) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_every_text_of_the_catalogue_has_an_english_translation():
    untranslated = [m.id for m in _po() if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert untranslated == []


def test_every_text_in_the_code_and_templates_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(catalog.WEB / "i18n" / "babel.cfg"), "-k", "_l", "-o", str(pot), "."],
                   check=True, cwd=catalog.ROOT, capture_output=True)
    with pot.open("rb") as handle:
        extracted = _ids(read_po(handle))
    assert extracted - _ids(_po()) == set()


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _po():
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id


def test_pages_show_english_after_switching(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    client.post("/sprache", data={"lang": "en", "next": "/aufgaben"})
    html = client.get("/aufgaben").data.decode()
    assert "My tasks" in html and "Group tasks" in html and "Meine Aufgaben" not in html
