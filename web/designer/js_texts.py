"""Texts the designer's scripts show (web/static/designer/*.js), handed to the page in the user's language."""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:  # noqa: N802 - the marker name Babel extracts by default
    """Mark a text for the catalogue without translating it yet."""
    return text


# Placeholders in braces ({n}) are filled in by the script (texts.js), after the translation.
JS_TEXTS = (
    N_("Kleinster Wert (min)"),
    N_("Größter Wert (max)"),
    N_("Mindestlänge (minlength)"),
    N_("Höchstlänge (maxlength)"),
    N_("Frühestes Datum (min)"),
    N_("JJJJ-MM-TT oder today, auch today-P18Y"),
    N_("Spätestes Datum (max)"),
    N_("JJJJ-MM-TT oder today, auch today+P30D"),
    N_("Zuständige Stelle(n) (candidateGroups, z. B. abh)"),
    N_("Bearbeiter/in (assignee)"),
    N_("Mögliche Bearbeiter/innen (candidateUsers)"),
    N_("Fällig (dueDate, z. B. P10D oder ${frist})"),
    N_("Wiedervorlage (followUpDate)"),
    N_("Priorität (0–100 oder Ausdruck)"),
    N_("»{value}« ist kein gültiges Datum: erwartet wird eine ISO-8601-Dauer (z. "
       "B. P10D, PT4H), ein Datum (z. B. 2027-01-31) oder ein Ausdruck wie ${frist}."),
    N_("Element auswählen, um seine Eigenschaften zu bearbeiten."),
    N_("Eigenschaften"),
    N_("ID"),
    N_("Name"),
    N_("Aufgerufener Prozess (calledElement)"),
    N_("Formularfelder"),
    N_("Formularfeld hinzufügen"),
    N_("Feld-ID"),
    N_("Beschriftung"),
    N_("Typ"),
    N_("Vorgabewert"),
    N_("Pflichtfeld"),
    N_("Nur lesen"),
    N_("Feld entfernen"),
    N_("Auswahlwerte"),
    N_("Noch keine Auswahlwerte – ein Auswahlfeld braucht mindestens einen."),
    N_("Wert-ID"),
    N_("Anzeigetext"),
    N_("Wert entfernen"),
    N_("Auswahlwert hinzufügen"),
    N_("Bedingung (z. B. ${betrag >= 100})"),
    N_("Dies ist der Standardfluss des Gateways."),
    N_("– kein Standardfluss –"),
    N_("Standardfluss"),
    N_("Skript (Python)"),
    N_("Handler (camunda:topic)"),
    N_("Entscheidung (decisionRef)"),
    N_("Ergebnisvariable"),
    N_("Dauer (z. B. P14D)"),
    N_("Zeitpunkt (ISO 8601)"),
    N_("Wiederholung (R3/P1D)"),
    N_("Timer-Art"),
    N_("Timer-Wert"),
    N_("Nachricht (Name)"),
    N_("Keine Fehler und keine Hinweise."),
    N_("Fehler"),
    N_("Hinweis"),
    N_("an »{id}«"),
    N_("(Zeile {line})"),
    N_("Speichern fehlgeschlagen."),
    N_("Entwurf Stand {revision}, gespeichert von {user}"),
    N_("Gespeichert. Der Entwurf hat {n} Fehler (im Diagramm markiert)."),
    N_("Gespeichert."),
    N_("{n} Fehler gefunden."),
    N_("Keine Fehler gefunden."),
    N_("Nicht bereitgestellt."),
    N_("{process} Version {version}"),
    N_("Bereitgestellte Version {version} (noch kein Entwurf)"),
    N_("Bereitgestellt: {versions}."),
    N_("Datei »{name}« geladen; zum Übernehmen speichern."),
    N_("Die Eingaben sind kein gültiges JSON: {error}"),
    N_("Beendet bei: {events}"),
    N_("Wartet an: {steps}"),
    N_("Daten: {data}"),
    N_("Fehler: {message}"),
    N_("Probelauf (nichts gespeichert)"),
    N_("Szenarien"),
    N_("Keine Szenarien"),
    N_("Die Szenariodatei enthält keine Szenarien; es wurde nichts geprüft."),
    N_("Angehalten bei: {step}"),
    N_("Szenarien: {passed} von {total} bestanden"),
    N_("Das Diagramm konnte nicht geladen werden: {error}"),
    N_("{n} ausgewählt"),
    N_("{done} von {total} geprüft, {moved} auf Version {version} umgezogen"),
    N_(", {n} nicht umgezogen"),
    N_("Der Umzug wurde wegen eines Fehlers abgebrochen."),
    N_("Fertig."),
)


def designer_texts() -> dict[str, str]:
    """Return every script text with its translation in the current language."""
    return {text: gettext(text) for text in JS_TEXTS}
