"""The designer's scripts show their texts in the user's language: the page hands them every translation."""

import json
import re
from pathlib import Path

from web.designer.js_texts import JS_TEXTS

SCRIPTS = Path(__file__).resolve().parents[2] / "web" / "static" / "designer"


def _script_texts() -> set[str]:
    found = set()
    for script in SCRIPTS.glob("*.js"):
        source = re.sub(r'"\s*\+\s*\n\s*"', "", script.read_text())  # literals split over two lines
        found |= {json.loads(f'"{text}"') for text in re.findall(r'\bT\("((?:[^"\\]|\\.)*)"', source)}
    return found


def test_every_text_the_designer_scripts_show_is_in_the_catalogue_list():
    texts = _script_texts()
    assert len(texts) > 50 and texts - set(JS_TEXTS) == set()


def _page_texts(client, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    return json.loads(re.search(r'<script type="application/json" id="kf-texts">(.*?)</script>', html, re.S).group(1))


def test_the_editor_and_migration_pages_hand_the_scripts_their_english_texts(make_user, login, services):
    from engine.core.actors import Actor
    from tests.conftest import fixture_files

    services.engine.deploy(fixture_files("two_tasks.bpmn"), actor=Actor.system_actor("test"))
    client = login(make_user("d.berg", role="designer"))
    german = _page_texts(client, "/designer/process/two_tasks/")
    assert german["Gespeichert."] == "Gespeichert."
    client.post("/sprache", data={"lang": "en", "next": "/designer/"})
    english = _page_texts(client, "/designer/process/two_tasks/")
    assert english["Gespeichert."] == "Saved." and english["Formularfelder"] == "Form fields"
    assert set(english) == set(JS_TEXTS)
    assert _page_texts(client, "/designer/process/two_tasks/migration")["{n} ausgewählt"] == "{n} selected"
