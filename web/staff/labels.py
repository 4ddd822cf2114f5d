"""Names people read: audit actions in the task history, municipalities by their area code."""

from flask_babel import lazy_gettext as _l

from workflows.catalogue import municipality_name

ACTIONS = {
    "instance_started": _l("Vorgang gestartet"),
    "task_viewed": _l("Aufgabe angesehen"),
    "task_claimed": _l("Aufgabe übernommen"),
    "task_unclaimed": _l("Aufgabe zurückgegeben"),
    "task_delegated": _l("Aufgabe weitergegeben"),
    "task_draft_saved": _l("Entwurf gespeichert"),
    "task_dates_set": _l("Fälligkeit / Wiedervorlage gesetzt"),
    "task_completed": _l("Aufgabe erledigt"),
    "task_rerouted": _l("an andere Stelle umgeleitet"),
    "access_denied": _l("Zugriff verweigert"),
}


OFFICES = {
    "abh": _l("Ausländerbehörde"), "ebh": _l("Einbürgerungsbehörde"), "jobcenter": _l("Jobcenter"),
    "sozialamt": _l("Sozialamt"), "kim_cm": _l("KIM-Fallmanagement"), "kim_coord": _l("KIM-Koordination"),
}


def office_name(code: str | None) -> str:
    """Return the office's name for its code ("abh" -> "Ausländerbehörde")."""
    return str(OFFICES.get(code or "", code or ""))


def area_name(code: str | None) -> str:
    """Return the municipality's name for an area code ("juechen" -> "Jüchen")."""
    if not code:
        return ""
    return municipality_name(code)
