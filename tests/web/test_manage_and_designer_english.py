"""English mode: the manager's start page and the designer's library speak English."""


def _in_english(client, path: str) -> str:
    client.post("/sprache", data={"lang": "en", "next": path})
    return client.get(path).get_data(as_text=True)


def test_the_managers_start_page_is_english_after_switching(make_user, login):
    html = _in_english(login(make_user("chefin", "manager")), "/manage/")
    assert "Steering and monitoring" in html and "Open work per unit and municipality" in html
    assert "Steuerung und Monitoring" not in html and "Offene Arbeit" not in html


def test_the_process_library_is_english_after_switching(make_user, login):
    html = _in_english(login(make_user("d.berg", role="designer")), "/designer/")
    assert "Process library" in html and "Create draft" in html
    assert "Prozessbibliothek" not in html and "Entwurf anlegen" not in html
