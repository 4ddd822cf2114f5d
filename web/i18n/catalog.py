"""Maintain the translation catalogue: `python -m web.i18n.catalog` extracts, merges and compiles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent
ROOT = WEB.parent
TRANSLATIONS = WEB / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract() -> None:
    """Collect every translatable text of the web layer into messages.pot."""
    _pybabel("extract", "-F", str(WEB / "i18n" / "babel.cfg"), "-k", "_l", "--no-location", "--sort-output",
             "-o", str(POT), ".")


def update() -> None:
    """Merge new texts into every language's messages.po."""
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")


def compile_all() -> None:
    """Compile messages.po into the messages.mo files the app loads."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


if __name__ == "__main__":
    extract()
    update()
    compile_all()
