"""German names of audit actions as the task history shows them."""

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "instance_started": _l("Vorgang gestartet"),
    "task_viewed": _l("Aufgabe angesehen"),
    "task_claimed": _l("Aufgabe übernommen"),
    "task_unclaimed": _l("Aufgabe zurückgegeben"),
    "task_delegated": _l("Aufgabe weitergegeben"),
    "task_draft_saved": _l("Entwurf gespeichert"),
    "task_completed": _l("Aufgabe erledigt"),
    "task_rerouted": _l("an andere Stelle umgeleitet"),
    "access_denied": _l("Zugriff verweigert"),
}
