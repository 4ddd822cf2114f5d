"""The DMN decisions, written in FEEL as Camunda Modeler writes them.

Cells are FEEL unary tests (`true`, `>= 3`, `"employment"`, ranges, `-`); dates and durations are FEEL
values (`date(service_date) + duration("P14D")`, `>= duration("P5Y")`). Rows are mutually exclusive so
that hit policy UNIQUE holds; a later row repeats the earlier tests it relies on. Process data holds
dates as ISO text, so input expressions read them with date(...); results land as ISO text again.
"""

from dmnlib import Table

T, F, ANY = "true", "false", "-"


def indication() -> Table:
    """Return the table: is KIM case management indicated?"""
    return Table(
        "indication",
        "Indikation Fallmanagement",
        [
            ("Bereits in anderem Fallmanagement", "other_case_management", "boolean"),
            ("Anzahl Problemlagen", "problem_area_count", "integer"),
            ("Anzahl beteiligter Stellen", "offices_involved", "integer"),
            ("Regeldienste greifen nicht", "standard_services_failing", "boolean"),
            ("Person fehlen Ressourcen", "lacks_resources", "boolean"),
        ],
        [("Indikation", "indication", "string")],
        [
            (
                [T, ANY, ANY, ANY, ANY],
                ['"standard_service"'],
                "anderes Fallmanagement läuft: dorthin verweisen",
            ),
            ([F, ">= 3", ">= 2", T, ANY], ['"case_management"'], "komplexe Lage, Regeldienste greifen nicht"),
            ([F, ">= 3", ">= 2", F, T], ['"case_management"'], "komplexe Lage, fehlende Ressourcen"),
            ([F, ">= 3", ">= 2", F, F], ['"standard_service"'], "Regeldienste reichen aus"),
            ([F, ">= 3", "< 2", ANY, ANY], ['"standard_service"'], "nur eine Stelle beteiligt"),
            ([F, "2", ANY, ANY, ANY], ['"standard_service"'], "zwei Problemlagen"),
            ([F, "<= 1", ANY, ANY, ANY], ['"short_advice"'], "höchstens eine Problemlage: Kurzberatung"),
        ],
        doc="Problemlagen >= 3, mehrere Stellen, Regeldienste greifen nicht oder fehlende Ressourcen.",
    )


def urgency() -> Table:
    """Return the table: how urgent is the case given the next document expiry?"""
    left = "if residence_expiry = null then null else date(residence_expiry) - today()"
    return Table(
        "urgency",
        "Dringlichkeit nach Fristen",
        [("Zeit bis Fristablauf", left, "")],
        [("Dringlichkeit", "urgency", "string"), ("Priorität", "case_priority", "integer")],
        [
            (['<= duration("P14D")'], ['"high"', "90"], "Frist in höchstens 14 Tagen (oder abgelaufen)"),
            (['(duration("P14D")..duration("P30D")]'], ['"medium"', "60"], "Frist in 15 bis 30 Tagen"),
            (['> duration("P30D"), null'], ['"normal"', "30"], "keine Frist in den nächsten 30 Tagen"),
        ],
    )


RETENTION = [
    ("goals_met", "P3Y", 3),
    ("handed_over", "P3Y", 3),
    ("moved_away", "P1Y", 1),
    ("no_contact", "P1Y", 1),
    ("consent_withdrawn", "P1M", 0),
    ("naturalised", "P3Y", 3),
]


def retention_period() -> Table:
    """Return the table: closure reason -> retention period before anonymisation."""
    return Table(
        "retention_period",
        "Aufbewahrungsfrist nach Abschlussgrund",
        [("Abschlussgrund", "closure_reason", "string")],
        [("Frist", "retention_period", "yearMonthDuration"), ("Jahre", "retention_years", "integer")],
        [([f'"{reason}"'], [f'duration("{period}")', str(years)], "") for reason, period, years in RETENTION],
        doc="Nach Ablauf wird der Fall anonymisiert; bei Widerruf der Einwilligung nach einem Monat.",
    )


PROTECTION_TYPES = ["asylum_16a", "refugee_3", "subsidiary_4", "deportation_ban_60"]


def transfer_date() -> Table:
    """Return the decisions: who pays from when after a BAMF recognition (the table needs two dates)."""
    dates = [
        'next_month_start - duration("P1D")',
        "next_month_start",
        'service_day + duration("P14D")',
        'next_month_start + duration("P14D")',
        'next_month_start + duration("P10D")',
        "max(household_size - protected_members, 0)",
    ]
    rules = []
    for ptype in PROTECTION_TYPES:
        rules.append(([f'"{ptype}"', T], ['"jobcenter"'] + dates, "erwerbsfähig: SGB II"))
        rules.append(([f'"{ptype}"', F], ['"sgb12"'] + dates, "nicht erwerbsfähig: SGB XII"))
    return Table(
        "transfer_date",
        "Rechtskreiswechsel AsylbLG -> SGB II/XII",
        [("Schutzstatus", "protection_type", "string"), ("Erwerbsfähig", "able_to_work", "boolean")],
        [
            ("Zuständig künftig", "target_office", "string"),
            ("AsylbLG endet am", "asylblg_end", "date"),
            ("Leistung ab", "benefit_start", "date"),
            ("Rechtsmittelfrist endet", "appeal_end", "date"),
            ("Erinnerung Antrag am", "application_reminder_date", "date"),
            ("Lückenalarm am", "gap_alarm_date", "date"),
            ("Verbleiben im AsylbLG (Personen)", "members_staying_asylblg", "integer"),
        ],
        rules,
        doc="AsylbLG endet mit dem Monat der Zustellung, SGB II/XII ab dem Folgemonat; "
        "Rechtsmittelfrist zwei Wochen (P14D) ab Zustellung.",
        requires=[
            ("service_day", "service_day", "date(service_date)", "date"),
            ("next_month_start", "next_month_start",
             'date(service_day.year, service_day.month, 1) + duration("P1M")', "date"),
        ],
    )


def agency_consent() -> Table:
    """Return the table: does the Federal Employment Agency have to consent?"""
    return Table(
        "agency_consent",
        "Zustimmung der Bundesagentur für Arbeit erforderlich?",
        [
            ("Beschäftigungsverbot sicherer Herkunftsstaat", "safe_country_work_ban", "boolean"),
            ("Art der Beschäftigung", "employment_type", "string"),
            ("Voraufenthalt (Monate)", "residence_months", "integer"),
        ],
        [
            ("Beschäftigungsverbot", "work_ban", "boolean"),
            ("Zustimmung nötig", "consent_needed", "boolean"),
            ("Begründung", "consent_reason", "string"),
        ],
        [
            ([T, ANY, ANY], [T, F, '"Beschäftigungsverbot (sicherer Herkunftsstaat)"'], ""),
            (
                [F, '"vocational_training"', ANY],
                [F, F, '"qualifizierte Berufsausbildung: zustimmungsfrei"'],
                "",
            ),
            ([F, '"employment"', ">= 48"], [F, F, '"vier Jahre Voraufenthalt: zustimmungsfrei"'], ""),
            ([F, '"employment"', "< 48"], [F, T, '"Zustimmung der Bundesagentur erforderlich"'], ""),
        ],
    )


def _or_zero(name: str) -> str:
    return f"if {name} = null then 0 else {name}"


def employment_toleration() -> Table:
    """Return the table: §60d AufenthG employment toleration."""
    a2 = 'list contains(["a2", "b1", "b2", "c1", "c2"], german_level)'
    no = [F, '""']
    return Table(
        "employment_toleration",
        "Beschäftigungsduldung (§ 60d AufenthG)",
        [
            ("Identität geklärt", "identity_clarified", "boolean"),
            ("Duldung seit (Monate)", _or_zero("toleration_months"), "integer"),
            ("Beschäftigung mind. 20 Std./Woche (Monate)", _or_zero("employment_months_20h"), "integer"),
            ("Lebensunterhalt gesichert", "self_supporting", "boolean"),
            ("Deutsch mindestens A2", a2, "boolean"),
            ("Relevante Verurteilungen", "convictions", "boolean"),
        ],
        [
            ("Beschäftigungsduldung möglich", "toleration_eligible", "boolean"),
            ("Dauer", "toleration_duration", "string"),
            ("Begründung", "toleration_reason", "string"),
        ],
        [
            ([F, ANY, ANY, ANY, ANY, ANY], no + ['"Identität nicht geklärt"'], ""),
            ([T, "< 12", ANY, ANY, ANY, ANY], no + ['"Duldung besteht noch keine 12 Monate"'], ""),
            (
                [T, ">= 12", "< 12", ANY, ANY, ANY],
                no + ['"keine 12 Monate Beschäftigung mit 20 Std./Woche"'],
                "",
            ),
            ([T, ">= 12", ">= 12", F, ANY, ANY], no + ['"Lebensunterhalt nicht gesichert"'], ""),
            ([T, ">= 12", ">= 12", T, F, ANY], no + ['"Deutschkenntnisse unter A2"'], ""),
            ([T, ">= 12", ">= 12", T, T, T], no + ['"relevante Verurteilung"'], ""),
            ([T, ">= 12", ">= 12", T, T, F], [T, '"P30M"', '"Beschäftigungsduldung für 30 Monate"'], ""),
        ],
    )


EXCLUDED = 'list contains(["study_training", "temporary_humanitarian", "chancen_104c", "toleration"], residence_basis)'
B1 = 'list contains(["b1", "b2", "c1", "c2"], german_level)'
TEST = "naturalisation_test_passed = true or german_school_certificate = true"
RESIDENCE = ('duration("P" + string(if lawful_residence_months = null then 0 else lawful_residence_months) + "M")')


def _nat_inputs() -> list[tuple[str, str, str]]:
    return [
        ("Aufenthaltstitel schließt Einbürgerung aus", EXCLUDED, "boolean"),
        ("Rechtmäßiger Aufenthalt", RESIDENCE, "yearMonthDuration"),
        ("Deutsch mindestens B1", B1, "boolean"),
        ("Einbürgerungstest oder deutscher Schulabschluss", TEST, "boolean"),
        ("Lebensunterhalt ohne SGB II/XII", "self_supporting", "boolean"),
        ("Identität geklärt", "identity_clarified", "boolean"),
        ("Relevante Verurteilungen", "relevant_convictions", "boolean"),
    ]


NAT_ITEMS = [
    (0, T, "Aufenthaltstitel schließt Einbürgerung aus"),
    (1, '< duration("P5Y")', "fünf Jahre rechtmäßiger Aufenthalt"),
    (2, F, "Deutschkenntnisse B1"),
    (3, F, "Einbürgerungstest oder deutscher Schulabschluss"),
    (4, F, "Lebensunterhalt ohne SGB II/XII"),
    (5, F, "geklärte Identität"),
    (6, T, "keine relevanten Verurteilungen"),
]
NAT_OK = [F, '>= duration("P5Y")', T, T, T, T, F]


def naturalisation_eligibility() -> Table:
    """Return the table: quick check under §10 StAG (since June 2024), first missing item."""
    rules = []
    for idx, cell, item in NAT_ITEMS:
        ins = NAT_OK[:idx] + [cell] + [ANY] * (len(NAT_OK) - idx - 1)
        rules.append((ins, [F, f'"{item}"'], "fehlt: " + item))
    rules.append((NAT_OK, [T, '""'], "alle Voraussetzungen erfüllt"))
    return Table(
        "naturalisation_eligibility",
        "Einbürgerung: Schnellprüfung (§ 10 StAG)",
        _nat_inputs(),
        [
            ("Anspruch auf Einbürgerung", "eligible", "boolean"),
            ("Erste fehlende Voraussetzung", "first_missing_item", "string"),
        ],
        rules,
        doc="Seit 27.06.2024: 5 Jahre rechtmäßiger Aufenthalt (4 Jahre 11 Monate reichen nicht), B1, "
        "Test oder Schulabschluss, Lebensunterhalt, Identität, keine Verurteilungen.",
    )


def naturalisation_missing_items() -> Table:
    """Return the table: every missing naturalisation requirement (COLLECT)."""
    rules = []
    for idx, cell, item in NAT_ITEMS:
        ins = [ANY] * len(NAT_OK)
        ins[idx] = cell
        rules.append((ins, [f'"{item}"'], ""))
    return Table(
        "naturalisation_missing_items",
        "Einbürgerung: fehlende Voraussetzungen",
        _nat_inputs(),
        [("Fehlt", "missing_items", "string")],
        rules,
        hit_policy="COLLECT",
    )


ALL = [
    indication,
    urgency,
    retention_period,
    transfer_date,
    agency_consent,
    employment_toleration,
    naturalisation_eligibility,
    naturalisation_missing_items,
]
