"""The tables of the steering report, one builder per section; definitions in `workflows.steering.facts`.

Every title, column and note is written in German and English; a builder takes the report's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workflows.steering import labels as labels
from workflows.steering.facts import SLA_DAYS
from workflows.steering.labels import TOTAL_WORDS, Words, area_name, names, office_label, say, transition_name
from workflows.steering.model import Cell, Table, count, label, protect_totals, ratio, share, statistic

if TYPE_CHECKING:
    from workflows.steering.report import FactSet

ANY = "*"
MUNICIPALITY: Words = ("Kommune", "Municipality")
CASES: Words = ("Fälle", "Cases")
MEDIAN: Words = ("Median (Tage)", "Median (days)")
P90: Words = ("90. Perzentil (Tage)", "90th percentile (days)")


def _table(key: str, language: str, title: Words, columns: list[Words], note: Words, chart: str | None = None,
           ) -> Table:
    return Table(key, say(title, language), [say(c, language) for c in columns], note=say(note, language),
                 chart=chart)


def _areas(facts: FactSet, language: str) -> list[tuple[str | None, str]]:
    """Return (area, display name) for every municipality row plus the district total (ANY)."""
    return [(area, area_name(area, language)) for area in facts.areas] + [(ANY, say(TOTAL_WORDS, language))]


def _posts(facts: FactSet, area: str | None) -> float | None:
    if area == ANY:
        return sum(facts.posts.get(a, 0.0) for a in facts.areas if a is not None) or None
    return facts.posts.get(area or "")


def _open_cases(facts: FactSet, area: str | None) -> int:
    if area == ANY:
        return sum(facts.opened_until_end.values()) - sum(facts.closed_until_end.values())
    return facts.opened_until_end[area] - facts.closed_until_end[area]


def caseload(facts: FactSet, language: str = "de") -> Table:
    table = _table("caseload", language, ("Fallzahlen", "Caseload"), [
        MUNICIPALITY, ("Neue Fälle", "New cases"),
        ("Offene Fälle am Periodenende", "Open cases at the end of the period"),
        ("Abgeschlossene Fälle", "Closed cases"), ("VZÄ Fallmanagement", "Case management FTE"),
        ("Offene Fälle je VZÄ", "Open cases per FTE"), ("Neue Fälle je VZÄ", "New cases per FTE")],
        ("Neu: Zuweisung erfasst. Offen: bis Periodenende zugewiesen und nicht abgeschlossen. "
         "VZÄ: Vollzeitstellen Fallmanagement der Kommune.",
         "New: referral recorded. Open: referred by the end of the period and not closed. "
         "FTE: the municipality's full-time case management posts."), chart="bar")
    for area, name in _areas(facts, language):
        table.rows.append([label(name), count(facts.count("case_opened", area)), count(_open_cases(facts, area)),
                           count(facts.count("case_closed", area)), Cell(_posts(facts, area))])
    protect_totals(table, columns=(1, 2, 3))
    for row in table.rows:  # per-post figures follow the (protected) counts
        new, open_, posts = row[1], row[2], row[4].value
        row += [ratio(open_, posts if isinstance(posts, float) else None),
                ratio(new, posts if isinstance(posts, float) else None)]
    return table


def _by_category(key: str, title: Words, kind: str, categories: dict[str, Words], note: Words) -> Callable:
    def build(facts: FactSet, language: str = "de") -> Table:
        table = _table(key, language, title, [MUNICIPALITY, *categories.values()], note, chart="stacked")
        for area, name in _areas(facts, language):
            if kind == "residence_status":
                cells = [count(sum(n for (a, t), n in facts.residence.items() if area in (ANY, a) and t == code))
                         for code in categories]
            else:
                cells = [count(facts.count(kind, area, code)) for code in categories]
            table.rows.append([label(name), *cells])
        protect_totals(table, columns=range(1, len(categories) + 1))
        return table

    return build


referral_sources = _by_category("referral_sources", ("Zugangswege", "Referral routes"), "case_opened",
                                labels.SOURCES, ("Neue Fälle der Periode nach Zugangsweg.",
                                                 "New cases of the period by referral route."))
residence_mix = _by_category("residence_mix", ("Aufenthaltsstatus", "Residence status"), "residence_status",
                             labels.RESIDENCE_TITLES,
                             ("Fälle mit Clearing in der Periode, jeweils mit dem zuletzt erfassten Status.",
                              "Cases with a clearing in the period, each with the status recorded last."))
closure_reasons = _by_category("closure_reasons", ("Abschlussgründe", "Reasons for closure"), "case_closed",
                               labels.CLOSURE_REASONS, ("Abschlüsse der Periode nach Grund.",
                                                        "Closures of the period by reason."))


def waiting_times(facts: FactSet, language: str = "de") -> Table:
    steps: tuple[tuple[str, Words], ...] = (
        ("first_contact", ("Zuweisung → Erstkontakt", "Referral → first contact")),
        ("consent", ("Zuweisung → Einwilligung", "Referral → consent")),
        ("plan", ("Zuweisung → Integrationsplan", "Referral → integration plan")))
    columns = [MUNICIPALITY]
    for _, (german, english) in steps:
        columns += [(f"{german}: Median (Tage)", f"{english}: median (days)"),
                    (f"{german}: Fälle", f"{english}: cases")]
    table = _table("waiting_times", language, ("Warte- und Bearbeitungszeiten im Fallmanagement",
                                                "Waiting and processing times in case management"), columns,
                   ("Zuweisung = Eingang (Prozessstart); Erstkontakt = Zuweisung mit der Person erfasst; "
                    "Einwilligung und Integrationsplan jeweils das erste Mal im Fall.",
                    "Referral = receipt (start of the process); first contact = referral recorded with the person; "
                    "consent and integration plan each the first time in the case."), chart="bar")
    for area, name in _areas(facts, language):
        row = [label(name)]
        for kind, _ in steps:
            values = facts.days(kind, area)
            row += [statistic(values), count(len(values))]
        table.rows.append(row)
    return table


def office_response(facts: FactSet, language: str = "de") -> Table:
    table = _table("office_response", language, ("Antwortzeiten der Ämter auf Koordinationsanfragen",
                                                  "Offices' response times to coordination requests"),
                   [("Stelle", "Office"), ("Beantwortete Anfragen", "Requests answered"), MEDIAN, P90,
                    (f"innerhalb Servicelevel ({SLA_DAYS} Tage)", f"within service level ({SLA_DAYS} days)"),
                    ("Anteil innerhalb Servicelevel (%)", "Share within service level (%)")],
                   (f"Von der ersten Anfrage bis zur Antwort (auch nach Erinnerung oder Eskalation); "
                    f"Servicelevel: 10 Arbeitstage = {SLA_DAYS} Kalendertage.",
                    f"From the first request to the answer (including after a reminder or escalation); "
                    f"service level: 10 working days = {SLA_DAYS} calendar days."), chart="bar")
    for office in labels.OFFICES:
        values = facts.days("office_response", ANY, office)
        total, within = facts.count("office_response", ANY, office), facts.count("office_response", ANY, office,
                                                                                  "in_sla")
        table.rows.append([label(office_label(office, language)), count(total), statistic(values),
                           statistic(values, "p90"), count(within), share(within, total)])
    return table


def benefit_gap(facts: FactSet, language: str = "de") -> Table:
    table = _table("benefit_gap", language, ("Leistungslücke beim Rechtskreiswechsel (AsylbLG → SGB II)",
                                              "Benefit gap when changing legal system (AsylbLG → SGB II)"),
                   [MUNICIPALITY, CASES, MEDIAN, P90],
                   ("Tage von der letzten AsylbLG-Zahlung bis zur Bewilligung durch das Jobcenter "
                    "(frühester Zeitpunkt der ersten SGB-II-Zahlung).",
                    "Days from the last AsylbLG payment to the Jobcenter's approval "
                    "(the earliest moment of the first SGB II payment)."), chart="bar")
    for area, name in _areas(facts, language):
        values = facts.days("benefit_gap", area)
        table.rows.append([label(name), count(len(values)), statistic(values), statistic(values, "p90")])
    return table


def naturalisation(facts: FactSet, language: str = "de") -> Table:
    table = _table("naturalisation", language, ("Einbürgerung (Baustein 3)", "Naturalisation (module 3)"),
                   [MUNICIPALITY, ("Einbürgerungen", "Naturalisations"), ("Entscheidungen", "Decisions"),
                    ("Wartezeit auf Termin: Median (Tage)", "Wait for an appointment: median (days)"),
                    ("Bearbeitungszeit: Median (Tage)", "Processing time: median (days)")],
                   ("Wartezeit: Terminbuchung → Termin. Bearbeitungszeit: Antrag → Entscheidung. "
                    "Einbürgerung: Urkunde ausgehändigt.",
                    "Waiting time: booking → appointment. Processing time: application → decision. "
                    "Naturalisation: certificate handed over."), chart="bar")
    for area, name in _areas(facts, language):
        table.rows.append([label(name), count(facts.count("naturalised", area)),
                           count(facts.count("naturalisation_processing", area)),
                           statistic(facts.days("naturalisation_wait", area)),
                           statistic(facts.days("naturalisation_processing", area))])
    return table


def status_transitions(facts: FactSet, language: str = "de") -> Table:
    table = _table("status_transitions", language, ("Statuswechsel (Aufenthalt)", "Changes of residence status"),
                   [("Wechsel", "Change"), CASES],
                   ("Ein Clearing mit anderem Aufenthaltsstatus als das vorherige Clearing desselben Falls.",
                    "A clearing with a residence status different from the same case's previous clearing."))
    found = sorted({c for (k, _, c, _) in facts.counts if k == "status_transition" and c})
    for code in sorted(found, key=lambda c: -facts.count("status_transition", ANY, c)):
        table.rows.append([label(transition_name(code, language)),
                           count(facts.count("status_transition", ANY, code))])
    return table


def structural_problems(facts: FactSet, language: str = "de") -> Table:
    table = _table("structural_problems", language, ("Strukturelle Probleme aus der Fallarbeit",
                                                      "Structural problems from case work"),
                   [("Kategorie", "Category"), *labels.PROBLEM_STATUSES.values(), ("gesamt", "total")],
                   ("Gemeldet und von der Koordinierung bewertet in der Periode, nach Kategorie und Status.",
                    "Reported and assessed by the coordination in the period, by category and status."),
                   chart="stacked")
    for code, name in names(labels.PROBLEM_CATEGORIES, language).items():
        cells = [count(facts.count("structural_problem", ANY, code, status)) for status in labels.PROBLEM_STATUSES]
        table.rows.append([label(name), *cells, count(facts.count("structural_problem", ANY, code))])
    return table


SECTIONS: list[Callable[..., Table]] = [
    caseload, referral_sources, residence_mix, waiting_times, office_response, benefit_gap, naturalisation,
    closure_reasons, status_transitions, structural_problems,
]
