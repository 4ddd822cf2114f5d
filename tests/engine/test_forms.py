"""User task forms from camunda:formData, validated on the server with German messages."""

from __future__ import annotations

import pytest
from SpiffWorkflow.camunda.specs.user_task import EnumFormField
from SpiffWorkflow.camunda.specs.user_task import Form as SpiffForm
from SpiffWorkflow.camunda.specs.user_task import FormField as SpiffField

from engine.bpmn.forms import Form, FormField, build_form, form_for


def _spiff_field(field_id, field_type="string", default=None, options=(), **constraints):
    spiff = EnumFormField() if field_type == "enum" else SpiffField()
    spiff.id, spiff.type, spiff.label, spiff.default_value = field_id, field_type, field_id.title(), default
    for option_id, label in options:
        spiff.add_option(option_id, label)
    for name, config in constraints.items():
        spiff.add_validation(name, config)
    return spiff


def _spiff_form(*fields):
    form = SpiffForm()
    form.key = ""
    for each in fields:
        form.add_field(each)
    return form


class _TaskSpec:
    def __init__(self, form):
        self.form = form


FORM = Form(key=None, fields=[
    FormField("name", "Name", "string", required=True, minlength=3, maxlength=10),
    FormField("anzahl", "Anzahl", "long", min=1, max=10),
    FormField("eilig", "Eilig", "boolean"),
    FormField("termin", "Termin", "date"),
    FormField("art", "Art", "enum", options=[("a", "Aufenthalt"), ("b", "Beschäftigung")]),
    FormField("aktenzeichen", "Aktenzeichen", "string", readonly=True, default="AZ-1"),
    FormField("stufe", "Stufe", "long", default=2),
])


def _validate(**data):
    return FORM.validate({"name": "Anna", **data})


@pytest.mark.parametrize(("raw", "value"), [("4", 4), (4, 4), ("  7 ", 7), (3.0, 3)])
def test_long_accepts_whole_numbers(raw, value):
    clean, errors = _validate(anzahl=raw)
    assert errors == {}
    assert clean["anzahl"] == value


@pytest.mark.parametrize("raw", ["4.2", "abc", 4.5, True, [1]])
def test_long_refuses_anything_else(raw):
    _clean, errors = _validate(anzahl=raw)
    assert errors == {"anzahl": ["Bitte eine ganze Zahl eingeben"]}


@pytest.mark.parametrize(("raw", "value"), [
    ("on", True), ("true", True), (True, True), ("false", False), (False, False), ("", False),
])
def test_boolean_converts_checkbox_and_json_values(raw, value):
    clean, _errors = _validate(eilig=raw)
    assert clean["eilig"] is value


def test_missing_checkbox_is_false():
    clean, errors = _validate()
    assert clean["eilig"] is False
    assert "eilig" not in errors


@pytest.mark.parametrize(("raw", "value"), [
    ("2026-12-31", "2026-12-31"), ("31.12.2026", "2026-12-31"), ("1.2.2026", "2026-02-01"),
    ("31/12/2026", "2026-12-31"),
])
def test_date_becomes_an_iso_string(raw, value):
    clean, errors = _validate(termin=raw)
    assert errors == {}
    assert clean["termin"] == value


@pytest.mark.parametrize("raw", ["31.02.2026", "2026-13-01", "morgen", 20261231])
def test_invalid_dates_are_refused(raw):
    _clean, errors = _validate(termin=raw)
    assert errors["termin"] == ["Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben"]


def test_enum_value_must_be_an_option_id():
    clean, errors = _validate(art="b")
    assert clean["art"] == "b"
    _clean, errors = _validate(art="Aufenthalt")
    assert errors == {"art": ["Ungültige Auswahl"]}


def test_every_field_reports_its_errors_at_once():
    _clean, errors = FORM.validate({"name": "", "anzahl": "0", "termin": "nie", "art": "x"})
    assert errors == {
        "name": ["Pflichtfeld"],
        "anzahl": ["Wert muss ≥ 1 sein"],
        "termin": ["Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben"],
        "art": ["Ungültige Auswahl"],
    }


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "Al"}, "Mindestens 3 Zeichen"),
    ({"name": "A" * 11}, "Höchstens 10 Zeichen"),
    ({"name": "Anna", "anzahl": 11}, "Wert muss ≤ 10 sein"),
])
def test_length_and_range_limits_are_checked(data, message):
    _clean, errors = FORM.validate(data)
    assert message in [m for field_errors in errors.values() for m in field_errors]


def test_readonly_field_ignores_a_submitted_value():
    clean, errors = _validate(aktenzeichen="AZ-manipuliert")
    assert "aktenzeichen" not in clean
    assert errors == {}


def test_fields_not_in_the_form_are_dropped():
    clean, _errors = _validate(admin=True)
    assert "admin" not in clean


def test_absent_field_takes_its_default_and_blank_field_becomes_none():
    clean, _errors = _validate()
    assert clean["stufe"] == 2
    clean, _errors = _validate(stufe="")
    assert clean["stufe"] is None


def test_form_for_builds_fields_with_labels_options_defaults_and_limits():
    spiff = _spiff_form(
        _spiff_field("anzahl", "long", default="3", required=None, min="1", max="9"),
        _spiff_field("art", "enum", options=[("a", "Aufenthalt")], readonly=None),
    )
    form = form_for(_TaskSpec(spiff))
    anzahl, art = form.fields
    assert (anzahl.label, anzahl.default, anzahl.required) == ("Anzahl", 3, True)
    assert (anzahl.min, anzahl.max) == (1, 9)
    assert (art.options, art.readonly) == ([("a", "Aufenthalt")], True)


def test_form_for_returns_none_without_fields():
    assert form_for(_TaskSpec(_spiff_form())) is None
    assert form_for(object()) is None


@pytest.mark.parametrize(("field", "fragment"), [
    (_spiff_field("x", "currency"), "Feldtyp »currency«"),
    (_spiff_field("x", "enum"), "keine Optionen"),
    (_spiff_field("x", "long", min="eins"), "braucht eine Zahl"),
    (_spiff_field("x", "string", minlength="-1"), "ganze Zahl ≥ 0"),
    (_spiff_field("x", "string", minlength="5", maxlength="2"), "»minlength« ist größer"),
    (_spiff_field("x", "long", min="5", max="2"), "»min« ist größer"),
    (_spiff_field("x", "string", min="1"), "nur für Zahlenfelder"),
    (_spiff_field("x", "string", validator="de.Foo"), "»validator« wird nicht unterstützt"),
    (_spiff_field("x", "long", default="viele"), "Vorgabewert »viele«"),
    (_spiff_field("2x"), "gültiger Variablenname"),
])
def test_build_form_reports_definition_problems(field, fragment):
    _form, problems = build_form(_spiff_form(field))
    assert any(fragment in problem for problem in problems), problems


def test_build_form_reports_duplicate_field_ids():
    _form, problems = build_form(_spiff_form(_spiff_field("x"), _spiff_field("x")))
    assert problems == ["Die Feld-ID »x« ist im Formular doppelt vergeben."]


def _date_field(**constraints):
    form, problems = build_form(_spiff_form(_spiff_field("geboren", "date", **constraints)))
    assert problems == []
    return form


@pytest.mark.parametrize(("raw", "message"), [
    ("31.12.1999", "Das Datum darf nicht vor dem 01.01.2000 liegen"),
    ("2031-01-01", "Das Datum darf nicht nach dem 31.12.2030 liegen"),
])
def test_a_date_outside_its_declared_bounds_is_refused_with_the_bound_in_german(raw, message):
    form = _date_field(min="2000-01-01", max="2030-12-31")
    assert form.validate({"geboren": raw})[1] == {"geboren": [message]}
    assert form.validate({"geboren": "01.01.2000"}) == ({"geboren": "2000-01-01"}, {})
    assert form.validate({"geboren": "31.12.2030"})[1] == {}


def test_date_bounds_relative_to_today_follow_the_districts_calendar_day():
    import datetime as dt

    from engine.core import clock

    form = _date_field(min="today-P18Y", max="today")
    # 23:30 UTC on 29 Feb is already 1 March in the district.
    with clock.frozen(dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC)):
        assert form.validate({"geboren": "2028-03-01"})[1] == {}
        assert form.validate({"geboren": "2028-03-02"})[1] == {
            "geboren": ["Das Datum darf nicht nach dem 01.03.2028 liegen"]}
        assert form.validate({"geboren": "2010-03-01"})[1] == {}
        assert form.validate({"geboren": "2010-02-28"})[1] == {
            "geboren": ["Das Datum darf nicht vor dem 01.03.2010 liegen"]}


@pytest.mark.parametrize(("today", "spec", "day"), [
    ("2026-01-31", "today+P1M", "2026-02-28"),
    ("2026-03-15", "today-P2W", "2026-03-01"),
    ("2026-03-15", "today+P1Y2M3D", "2027-05-18"),
    ("2026-03-15", "today", "2026-03-15"),
    ("2026-03-15", "2020-02-29", "2020-02-29"),
])
def test_a_date_bound_names_an_iso_date_or_today_with_an_iso_period(today, spec, day):
    import datetime as dt

    from engine.bpmn.forms import date_bound

    assert date_bound(spec, dt.date.fromisoformat(today)) == dt.date.fromisoformat(day)


@pytest.mark.parametrize(("constraints", "fragment"), [
    ({"min": "3 Tage"}, "braucht ein Datum (JJJJ-MM-TT) oder »today«"),
    ({"max": "today+P"}, "nicht »today+P«"),
    ({"min": "2020-02-30"}, "nicht »2020-02-30«"),
    ({"min": "2030-01-01", "max": "2020-01-01"}, "»min« liegt nach »max«"),
])
def test_invalid_date_bounds_are_definition_problems(constraints, fragment):
    _form, problems = build_form(_spiff_form(_spiff_field("geboren", "date", **constraints)))
    assert any(fragment in problem for problem in problems), problems
