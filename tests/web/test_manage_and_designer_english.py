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


def test_the_steering_report_explains_its_figures_for_the_steering_group_in_both_languages(make_user, login):
    client = login(make_user("chefin", "manager"))
    german = client.get("/manage/report").get_data(as_text=True)
    assert "Leistungslücke: Tage von der letzten AsylbLG-Zahlung" in german and "record_referral" not in german
    english = _in_english(client, "/manage/report")
    assert "Definitions" in english and "Benefit gap: days from the last AsylbLG payment" in english
