"""German labels of the codes the steering report groups by (the option ids of the KIM forms)."""

from __future__ import annotations

from workflows.catalogue import MUNICIPALITIES as _MUNICIPALITIES
from workflows.catalogue import OFFICES_ASKED, office_name

MUNICIPALITIES = {area: name for area, (name, _inhabitants) in _MUNICIPALITIES.items()}
TOTAL = "Rhein-Kreis Neuss gesamt"
UNKNOWN_AREA = "ohne Kommune"

SOURCES = {"office": "Behörde / Amt", "walk_in": "Selbstmelder/in",
           "welfare": "Wohlfahrtsverband / Migrationsberatung"}
RESIDENCE_TITLES = {
    "aufenthaltsgestattung": "Gestattung", "duldung": "Duldung", "fiktionsbescheinigung": "Fiktion",
    "aufenthaltserlaubnis": "Aufenthaltserlaubnis",
    "niederlassungserlaubnis": "Niederlassung/Daueraufenthalt",
    "eu_freizuegigkeit": "EU-Freizügigkeit", "chancen_aufenthalt": "Chancen-Aufenthalt", "none": "ohne Titel",
}
CLOSURE_REASONS = {
    "goals_met": "Ziele erreicht", "handed_over": "übergeben", "moved_away": "verzogen",
    "no_contact": "kein Kontakt", "consent_withdrawn": "Einwilligung widerrufen",
    "naturalised": "eingebürgert",
    "no_case_management": "ohne Fallmanagement (Kurzberatung/Regeldienst)",
}
OFFICES = {code: office_name(code) for code in OFFICES_ASKED}
PROBLEM_CATEGORIES = {
    "waiting_time": "Wartezeiten", "interface": "Schnittstelle / Zuständigkeit",
    "benefit_gap": "Leistungslücke",
    "information": "Informationsfluss", "language": "Sprachmittlung",
    "legal": "Rechtslage", "other": "Sonstiges",
}
PROBLEM_STATUSES = {"new": "neu", "steering_group": "für Lenkungsgruppe vorgemerkt", "solved": "gelöst",
                    "rejected": "nicht weiter verfolgt"}


def area_name(area: str | None) -> str:
    """Return a municipality's display name."""
    if area is None:
        return UNKNOWN_AREA
    return MUNICIPALITIES.get(area, area)


def title_name(code: str | None) -> str:
    return RESIDENCE_TITLES.get(code or "", code or "unbekannt")


def transition_name(code: str) -> str:
    """Return "Duldung → Aufenthaltserlaubnis" for "duldung>aufenthaltserlaubnis"."""
    old, _, new = code.partition(">")
    return f"{title_name(old)} → {title_name(new)}"
