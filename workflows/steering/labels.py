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


# What each figure of the steering report counts, written for the steering group (German, English).
# The technical derivation per BPMN element stays in workflows/steering/facts.py.
DEFINITIONS: list[tuple[str, str]] = [
    ("Alle Dauern in Kalendertagen.", "All durations in calendar days."),
    ("Neuer Fall: die Zuweisung wurde erfasst; gezählt im Monat der Zuweisung, nach Zugangsweg.",
     "New case: the referral was recorded; counted in the month of the referral, by referral route."),
    ("Erstkontakt: Tage von der Zuweisung bis zum Gespräch, in dem die Zuweisung mit der Person erfasst wurde.",
     "First contact: days from the referral to the meeting in which the referral was recorded with the person."),
    ("Einwilligung: Tage von der Zuweisung bis zur ersten erteilten Einwilligung im Fall.",
     "Consent: days from the referral to the first consent given in the case."),
    ("Integrationsplan: Tage von der Zuweisung bis zum ersten Integrationsplan des Falls.",
     "Integration plan: days from the referral to the case's first integration plan."),
    ("Aufenthaltsstatus: der im Clearing erfasste Titel; ein anderer Titel als beim vorigen Clearing desselben "
     "Falls zählt als Statuswechsel.",
     "Residence status: the title recorded in the clearing; a title different from the same case's previous "
     "clearing counts as a change of status."),
    ("Antwortzeit der Ämter: Tage von der ersten Anfrage der Koordinierung bis zur Antwort, auch nach Erinnerung "
     "oder Eskalation; innerhalb des Servicelevels heißt: höchstens 10 Arbeitstage (14 Kalendertage).",
     "Office response time: days from the coordination's first request to the answer, including after a "
     "reminder or escalation; within the service level means at most 10 working days (14 calendar days)."),
    ("Abschluss: der Fall wurde mit einem Grund abgeschlossen; endet ein Fall ohne Fallmanagement (Kurzberatung, "
     "Regeldienst), zählt er als »ohne Fallmanagement«.",
     "Closure: the case was closed with a reason; a case that ends without case management (short advice, "
     "standard service) counts as 'without case management'."),
    ("Leistungslücke: Tage von der letzten AsylbLG-Zahlung bis zur Bewilligung durch das Jobcenter (frühester "
     "Zeitpunkt der ersten SGB-II-Zahlung).",
     "Benefit gap: days from the last AsylbLG payment to the Jobcenter's approval (the earliest moment the first "
     "SGB II payment can be made)."),
    ("Einbürgerung: Wartezeit von der Terminbuchung bis zum Termin; Bearbeitungszeit vom Antrag bis zur "
     "Entscheidung; eingebürgert heißt: Urkunde ausgehändigt.",
     "Naturalisation: waiting time from booking to the appointment; processing time from application to "
     "decision; naturalised means: certificate handed over."),
    ("Strukturelle Probleme: aus der Fallarbeit gemeldet und von der Koordinierung bewertet, nach Kategorie und "
     "Status.",
     "Structural problems: reported from case work and assessed by the coordination, by category and status."),
]


def definitions(language: str = "de") -> list[str]:
    """Return the report's definitions in German or English."""
    return [english if language == "en" else german for german, english in DEFINITIONS]
