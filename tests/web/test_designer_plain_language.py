"""The designer names people by their display names, in the user's language."""

import pytest

from engine.core.actors import Actor
from tests.conftest import fixture_files

XML = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
SAVE = "/designer/api/process/two_tasks/entwurf"


@pytest.fixture
def designer(make_user, login, services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=Actor.system_actor("test"))
    return login(make_user("d.berg", role="designer", display_name="Dora Berg"))


def test_a_saved_draft_names_its_author_by_display_name(designer):
    saved = designer.post(SAVE, json={"xml": XML, "file_name": "two_tasks.bpmn"}).json
    assert saved["draft"]["updated_by"] == "d.berg" and saved["draft"]["updated_by_name"] == "Dora Berg"
    library = designer.get("/designer/").get_data(as_text=True)
    assert "von Dora Berg" in library and "von d.berg" not in library


def test_a_save_conflict_names_the_other_designer_in_the_users_language(designer, make_user, login):
    first = designer.post(SAVE, json={"xml": XML, "file_name": "two_tasks.bpmn"}).json["draft"]["revision"]
    colleague = login(make_user("k.lang", role="designer", display_name="Karl Lang"))
    colleague.post(SAVE, json={"xml": XML, "file_name": "two_tasks.bpmn", "revision": first})
    designer.post("/sprache", data={"lang": "en", "next": "/designer/"})
    refused = designer.post(SAVE, json={"xml": XML, "file_name": "two_tasks.bpmn", "revision": first})
    assert refused.status_code == 409
    assert "Karl Lang" in refused.json["error"] and "k.lang" not in refused.json["error"]
    assert refused.json["error"].startswith("Meanwhile Karl Lang saved the draft")
