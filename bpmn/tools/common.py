"""Lanes, enums and form fields shared by the KIM processes."""

from bpmnlib import Field, enum

LANES = {
    "kim_cm": "KIM-Fallmanagement (kim_cm)",
    "abh": "Ausländerbehörde (abh)",
    "jobcenter": "Jobcenter (jobcenter)",
    "sozialamt": "Sozialamt (sozialamt)",
    "ebh": "Einbürgerungsbehörde (ebh)",
    "kim_coord": "KIM-Koordination (kim_coord)",
}

OFFICE_NAMES = {
    "abh": "Ausländerbehörde",
    "jobcenter": "Jobcenter",
    "sozialamt": "Sozialamt",
    "ebh": "Einbürgerungsbehörde",
}


def lanes(*codes: str) -> list[tuple[str, str]]:
    """Return (code, lane name) pairs for the given office codes."""
    return [(code, LANES[code]) for code in codes]


MUNICIPALITIES = enum(
    ("neuss", "Neuss"),
    ("dormagen", "Dormagen"),
    ("grevenbroich", "Grevenbroich"),
    ("meerbusch", "Meerbusch"),
    ("kaarst", "Kaarst"),
    ("korschenbroich", "Korschenbroich"),
    ("juechen", "Jüchen"),
    ("rommerskirchen", "Rommerskirchen"),
)

LANGUAGE_LEVELS = enum(
    ("none", "keine Deutschkenntnisse"),
    ("a1", "A1"),
    ("a2", "A2"),
    ("b1", "B1"),
    ("b2", "B2"),
    ("c1", "C1"),
    ("c2", "C2 / Muttersprache"),
)

RESIDENCE_TITLES = enum(
    ("aufenthaltsgestattung", "Aufenthaltsgestattung (Asylverfahren)"),
    ("duldung", "Duldung"),
    ("fiktionsbescheinigung", "Fiktionsbescheinigung"),
    ("aufenthaltserlaubnis", "Aufenthaltserlaubnis"),
    ("niederlassungserlaubnis", "Niederlassungserlaubnis / Daueraufenthalt-EU"),
    ("eu_freizuegigkeit", "EU-Freizügigkeit"),
    ("chancen_aufenthalt", "Chancen-Aufenthaltsrecht (§ 104c AufenthG)"),
    ("none", "ohne Aufenthaltstitel"),
)

CLOSURE_REASONS = enum(
    ("goals_met", "Ziele erreicht"),
    ("handed_over", "an anderen Dienst übergeben"),
    ("moved_away", "verzogen"),
    ("no_contact", "kein Kontakt mehr"),
    ("consent_withdrawn", "Einwilligung widerrufen"),
    ("naturalised", "eingebürgert"),
)


def request_form(office: str) -> list[Field]:
    """Return the form of an office's 'process request' task."""
    return [
        Field(f"measure_{office}", "Angefragte Maßnahme", readonly=True),
        Field("measures_due_date", "Erledigen bis", "date", readonly=True),
        Field(
            f"{office}_outcome",
            "Ergebnis",
            "enum",
            required=True,
            values=enum(
                ("done", "erledigt"),
                ("in_progress", "in Bearbeitung"),
                ("rejected", "abgelehnt"),
                ("not_responsible", "nicht zuständig"),
            ),
        ),
        Field(f"{office}_reference", "Aktenzeichen", maxlength=60),
        Field(f"{office}_date", "Datum der Bearbeitung", "date", required=True),
        Field(f"{office}_note", "Rückmeldung an das Fallmanagement", maxlength=2000),
    ]
