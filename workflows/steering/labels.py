"""Labels of the codes the steering report groups by (the option ids of the KIM forms), in German and English."""

from __future__ import annotations

from workflows.catalogue import MUNICIPALITIES as _MUNICIPALITIES
from workflows.catalogue import OFFICES_ASKED, office_name

Words = tuple[str, str]  # (German, English)

MUNICIPALITIES = {area: name for area, (name, _inhabitants) in _MUNICIPALITIES.items()}  # proper names, one language
TOTAL_WORDS: Words = ("Rhein-Kreis Neuss gesamt", "Rhein-Kreis Neuss, total")
UNKNOWN_AREA_WORDS: Words = ("ohne Kommune", "no municipality")
TOTAL, UNKNOWN_AREA = TOTAL_WORDS[0], UNKNOWN_AREA_WORDS[0]

SOURCES: dict[str, Words] = {
    "office": ("Behörde / Amt", "Public authority / office"), "walk_in": ("Selbstmelder/in", "Self-referral"),
    "welfare": ("Wohlfahrtsverband / Migrationsberatung", "Welfare organisation / migration counselling"),
}
RESIDENCE_TITLES: dict[str, Words] = {
    "aufenthaltsgestattung": ("Gestattung", "Permission to reside (asylum)"), "duldung": ("Duldung", "Toleration"),
    "fiktionsbescheinigung": ("Fiktion", "Fictional certificate"),
    "aufenthaltserlaubnis": ("Aufenthaltserlaubnis", "Residence permit"),
    "niederlassungserlaubnis": ("Niederlassung/Daueraufenthalt", "Settlement / permanent residence"),
    "eu_freizuegigkeit": ("EU-Freizügigkeit", "EU free movement"),
    "chancen_aufenthalt": ("Chancen-Aufenthalt", "Opportunity residence"), "none": ("ohne Titel", "no title"),
}
CLOSURE_REASONS: dict[str, Words] = {
    "goals_met": ("Ziele erreicht", "goals met"), "handed_over": ("übergeben", "handed over"),
    "moved_away": ("verzogen", "moved away"), "no_contact": ("kein Kontakt", "no contact"),
    "consent_withdrawn": ("Einwilligung widerrufen", "consent withdrawn"),
    "naturalised": ("eingebürgert", "naturalised"),
    "no_case_management": ("ohne Fallmanagement (Kurzberatung/Regeldienst)",
                           "without case management (short advice / standard service)"),
}
OFFICES = {code: office_name(code) for code in OFFICES_ASKED}
PROBLEM_CATEGORIES: dict[str, Words] = {
    "waiting_time": ("Wartezeiten", "Waiting times"),
    "interface": ("Schnittstelle / Zuständigkeit", "Interface / responsibility"),
    "benefit_gap": ("Leistungslücke", "Benefit gap"), "information": ("Informationsfluss", "Flow of information"),
    "language": ("Sprachmittlung", "Language mediation"), "legal": ("Rechtslage", "Legal situation"),
    "other": ("Sonstiges", "Other"),
}
PROBLEM_STATUSES: dict[str, Words] = {
    "new": ("neu", "new"), "steering_group": ("für Lenkungsgruppe vorgemerkt", "noted for the steering group"),
    "solved": ("gelöst", "solved"), "rejected": ("nicht weiter verfolgt", "not pursued"),
}


def say(words: Words, language: str = "de") -> str:
    """Return the English or German one of a pair of words."""
    return words[1] if language == "en" else words[0]


def names(mapping: dict[str, Words], language: str = "de") -> dict[str, str]:
    """Return code -> label in one language."""
    return {code: say(words, language) for code, words in mapping.items()}


def office_label(code: str, language: str = "de") -> str:
    """Return an office's name in the given language."""
    return office_name(code, language)


def area_name(area: str | None, language: str = "de") -> str:
    """Return a municipality's display name."""
    if area is None:
        return say(UNKNOWN_AREA_WORDS, language)
    return MUNICIPALITIES.get(area, area)


def title_name(code: str | None, language: str = "de") -> str:
    words = RESIDENCE_TITLES.get(code or "")
    return say(words, language) if words else (code or say(("unbekannt", "unknown"), language))


def transition_name(code: str, language: str = "de") -> str:
    """Return "Duldung → Aufenthaltserlaubnis" for "duldung>aufenthaltserlaubnis"."""
    old, _, new = code.partition(">")
    return f"{title_name(old, language)} → {title_name(new, language)}"


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
