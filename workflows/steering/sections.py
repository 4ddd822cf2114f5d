"""The tables of the steering report, one builder per section; definitions in `workflows.steering.facts`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workflows.steering import labels as labels
from workflows.steering.facts import SLA_DAYS
from workflows.steering.labels import TOTAL, area_name, transition_name
from workflows.steering.model import Cell, Table, count, label, protect_totals, ratio, share, statistic

if TYPE_CHECKING:
    from workflows.steering.report import FactSet

ANY = "*"


def _areas(facts: FactSet) -> list[tuple[str | None, str]]:
    """Return (area, display name) for every municipality row plus the district total (ANY)."""
    return [(area, area_name(area)) for area in facts.areas] + [(ANY, TOTAL)]


def _posts(facts: FactSet, area: str | None) -> float | None:
    if area == ANY:
        return sum(facts.posts.get(a, 0.0) for a in facts.areas if a is not None) or None
    return facts.posts.get(area or "")


def _open_cases(facts: FactSet, area: str | None) -> int:
    if area == ANY:
        return sum(facts.opened_until_end.values()) - sum(facts.closed_until_end.values())
    return facts.opened_until_end[area] - facts.closed_until_end[area]


def caseload(facts: FactSet) -> Table:
    table = Table("caseload", "Fallzahlen", ["Kommune", "Neue Fälle", "Offene Fälle am Periodenende",
                                             "Abgeschlossene Fälle", "VZÄ Fallmanagement", "Offene Fälle je VZÄ",
                                             "Neue Fälle je VZÄ"], chart="bar",
                  note="Neu: Zuweisung erfasst. Offen: bis Periodenende zugewiesen und nicht abgeschlossen. "
                       "VZÄ: Vollzeitstellen Fallmanagement der Kommune.")
    for area, name in _areas(facts):
        table.rows.append([label(name), count(facts.count("case_opened", area)), count(_open_cases(facts, area)),
                           count(facts.count("case_closed", area)), Cell(_posts(facts, area))])
    protect_totals(table, columns=(1, 2, 3))
    for row in table.rows:  # per-post figures follow the (protected) counts
        new, open_, posts = row[1], row[2], row[4].value
        row += [ratio(open_, posts if isinstance(posts, float) else None),
                ratio(new, posts if isinstance(posts, float) else None)]
    return table


def _by_category(key: str, title: str, kind: str, names: dict[str, str], note: str) -> Callable:
    def build(facts: FactSet) -> Table:
        table = Table(key, title, ["Kommune", *names.values()], chart="stacked", note=note)
        for area, name in _areas(facts):
            if kind == "residence_status":
                cells = [count(sum(n for (a, t), n in facts.residence.items() if area in (ANY, a) and t == code))
                         for code in names]
            else:
                cells = [count(facts.count(kind, area, code)) for code in names]
            table.rows.append([label(name), *cells])
        protect_totals(table, columns=range(1, len(names) + 1))
        return table

    return build


referral_sources = _by_category("referral_sources", "Zugangswege", "case_opened", labels.SOURCES,
                                "Neue Fälle der Periode nach Zugangsweg.")
residence_mix = _by_category("residence_mix", "Aufenthaltsstatus", "residence_status", labels.RESIDENCE_TITLES,
                             "Fälle mit Clearing in der Periode, jeweils mit dem zuletzt erfassten Status.")
closure_reasons = _by_category("closure_reasons", "Abschlussgründe", "case_closed", labels.CLOSURE_REASONS,
                               "Abschlüsse der Periode nach Grund.")


def waiting_times(facts: FactSet) -> Table:
    steps = (("first_contact", "Zuweisung → Erstkontakt"), ("consent", "Zuweisung → Einwilligung"),
             ("plan", "Zuweisung → Integrationsplan"))
    columns = ["Kommune"]
    for _, name in steps:
        columns += [f"{name}: Median (Tage)", f"{name}: Fälle"]
    table = Table("waiting_times", "Warte- und Bearbeitungszeiten im Fallmanagement", columns, chart="bar",
                  note="Zuweisung = Eingang (Prozessstart); Erstkontakt = Zuweisung mit der Person erfasst; "
                       "Einwilligung und Integrationsplan jeweils das erste Mal im Fall.")
    for area, name in _areas(facts):
        row = [label(name)]
        for kind, _ in steps:
            values = facts.days(kind, area)
            row += [statistic(values), count(len(values))]
        table.rows.append(row)
    return table


def office_response(facts: FactSet) -> Table:
    table = Table("office_response", "Antwortzeiten der Ämter auf Koordinationsanfragen",
                  ["Stelle", "Beantwortete Anfragen", "Median (Tage)", "90. Perzentil (Tage)",
                   f"innerhalb Servicelevel ({SLA_DAYS} Tage)", "Anteil innerhalb Servicelevel (%)"], chart="bar",
                  note=f"Von der ersten Anfrage bis zur Antwort (auch nach Erinnerung oder Eskalation); "
                       f"Servicelevel: 10 Arbeitstage = {SLA_DAYS} Kalendertage.")
    for office, name in labels.OFFICES.items():
        values = facts.days("office_response", ANY, office)
        total, within = facts.count("office_response", ANY, office), facts.count("office_response", ANY, office,
                                                                                  "in_sla")
        table.rows.append([label(name), count(total), statistic(values), statistic(values, "p90"),
                           count(within), share(within, total)])
    return table


def benefit_gap(facts: FactSet) -> Table:
    table = Table("benefit_gap", "Leistungslücke beim Rechtskreiswechsel (AsylbLG → SGB II)",
                  ["Kommune", "Fälle", "Median (Tage)", "90. Perzentil (Tage)"], chart="bar",
                  note="Tage von der letzten AsylbLG-Zahlung bis zur Bewilligung durch das Jobcenter "
                       "(frühester Zeitpunkt der ersten SGB-II-Zahlung).")
    for area, name in _areas(facts):
        values = facts.days("benefit_gap", area)
        table.rows.append([label(name), count(len(values)), statistic(values), statistic(values, "p90")])
    return table


def naturalisation(facts: FactSet) -> Table:
    table = Table("naturalisation", "Einbürgerung (Baustein 3)",
                  ["Kommune", "Einbürgerungen", "Entscheidungen", "Wartezeit auf Termin: Median (Tage)",
                   "Bearbeitungszeit: Median (Tage)"], chart="bar",
                  note="Wartezeit: Terminbuchung → Termin. Bearbeitungszeit: Antrag → Entscheidung. "
                       "Einbürgerung: Urkunde ausgehändigt.")
    for area, name in _areas(facts):
        table.rows.append([label(name), count(facts.count("naturalised", area)),
                           count(facts.count("naturalisation_processing", area)),
                           statistic(facts.days("naturalisation_wait", area)),
                           statistic(facts.days("naturalisation_processing", area))])
    return table


def status_transitions(facts: FactSet) -> Table:
    table = Table("status_transitions", "Statuswechsel (Aufenthalt)", ["Wechsel", "Fälle"],
                  note="Ein Clearing mit anderem Aufenthaltsstatus als das vorherige Clearing desselben Falls.")
    found = sorted({c for (k, _, c, _) in facts.counts if k == "status_transition" and c})
    for code in sorted(found, key=lambda c: -facts.count("status_transition", ANY, c)):
        table.rows.append([label(transition_name(code)), count(facts.count("status_transition", ANY, code))])
    return table


def structural_problems(facts: FactSet) -> Table:
    table = Table("structural_problems", "Strukturelle Probleme aus der Fallarbeit",
                  ["Kategorie", *labels.PROBLEM_STATUSES.values(), "gesamt"], chart="stacked",
                  note="Gemeldet und von der Koordinierung bewertet in der Periode, nach Kategorie und Status.")
    for code, name in labels.PROBLEM_CATEGORIES.items():
        cells = [count(facts.count("structural_problem", ANY, code, status)) for status in labels.PROBLEM_STATUSES]
        table.rows.append([label(name), *cells, count(facts.count("structural_problem", ANY, code))])
    return table


SECTIONS: list[Callable[[FactSet], Table]] = [
    caseload, referral_sources, residence_mix, waiting_times, office_response, benefit_gap, naturalisation,
    closure_reasons, status_transitions, structural_problems,
]
