"""The KIM case-management cycle (process id kim_case)."""

import kim_case_followup as followup
from bpmnlib import Field, Process, enum
from common import (
    LANGUAGE_LEVELS,
    MUNICIPALITIES,
    OFFICE_NAMES,
    RESIDENCE_TITLES,
    lanes,
    request_form,
)

DOC = (
    "Fallmanagement-Zyklus: Zuweisung, Indikation (DMN), Einwilligung, Clearing, Integrationsplan, "
    "Anfragen an die Ämter mit Erinnerung und Eskalation, Monitoring, Abschluss mit Aufbewahrungsfrist."
)


def build() -> Process:
    """Return the kim_case process."""
    p = Process(
        "kim_case",
        "KIM-Fallmanagement",
        lanes("kim_cm", "abh", "jobcenter", "sozialamt", "ebh", "kim_coord"),
        DOC,
        # Case management opens cases, through the intake form (which creates the case), not the start page.
        camunda={"candidateStarterGroups": "kim_cm", "isStartableInTasklist": "false"},
    )
    _referral(p)
    _consent(p)
    _assessment_and_plan(p)
    _coordination(p)
    followup.monitoring(p)
    followup.closure(p)
    followup.structural_problem(p)
    return p


def _referral(p: Process) -> None:
    p.lane("kim_cm")
    p.start("start_referral", "Zuweisung eingegangen")
    p.user(
        "record_referral",
        "Zuweisung erfassen",
        [
            Field(
                "source",
                "Zugang über",
                "enum",
                required=True,
                values=enum(
                    ("office", "Behörde / Amt"),
                    ("walk_in", "Selbstmelder/in"),
                    ("welfare", "Wohlfahrtsverband / Migrationsberatung"),
                ),
            ),
            Field("municipality", "Wohnort (Kommune)", "enum", required=True, values=MUNICIPALITIES),
            Field("language", "Sprache", required=True, maxlength=60),
            Field("interpreter_needed", "Dolmetscher/in erforderlich", "boolean", default="false"),
            Field("concern", "Anliegen", required=True, maxlength=2000),
            Field("problem_area_count", "Anzahl Problemlagen", "long", required=True, min=0, max=20),
            Field("offices_involved", "Anzahl beteiligter Stellen", "long", required=True, min=0, max=20),
            Field("standard_services_failing", "Regeldienste greifen nicht", "boolean", default="false"),
            Field("lacks_resources", "Person fehlen eigene Ressourcen", "boolean", default="false"),
            Field(
                "other_case_management",
                "Bereits in anderem Fallmanagement (Jobcenter, MBE/JMD)",
                "boolean",
                default="false",
            ),
        ],
        due="P5D",
    )
    p.rule("decide_indication", "Indikation prüfen", "indication")
    p.xor("gw_indication", "Indikation?")
    p.chain("start_referral", "record_referral", "decide_indication", "gw_indication")
    p.user(
        "refer_standard_service",
        "An Regeldienst verweisen",
        [
            Field("referred_to", "Verwiesen an", required=True, maxlength=200),
            Field("referral_note", "Hinweis", maxlength=2000),
        ],
    )
    p.end("end_referred", "An Regeldienst verwiesen")
    p.flow("gw_indication", "refer_standard_service", 'indication == "standard_service"', "Regeldienst")
    p.chain("refer_standard_service", "end_referred")


def _consent(p: Process) -> None:
    p.user(
        "record_consent",
        "Einwilligung erfassen",
        [
            Field("consent_given", "Einwilligung erteilt", "boolean"),  # a yes/no answer: "no" is valid
            Field("consent_abh", "Datenaustausch mit Ausländerbehörde", "boolean", default="false"),
            Field("consent_jobcenter", "Datenaustausch mit Jobcenter", "boolean", default="false"),
            Field("consent_sozialamt", "Datenaustausch mit Sozialamt", "boolean", default="false"),
            Field("consent_ebh", "Datenaustausch mit Einbürgerungsbehörde", "boolean", default="false"),
            Field("consent_categories", "Datenkategorien", maxlength=500),
            Field("consent_purpose", "Zweck", maxlength=500),
            Field(
                "consent_direction",
                "Richtung",
                "enum",
                values=enum(("one_way", "einseitig (nur an die Stelle)"), ("mutual", "gegenseitig")),
            ),
            Field("consent_valid_until", "Gültig bis", "date"),
            Field(
                "health_data_consent",
                "Gesundheitsdaten ausdrücklich eingeschlossen",
                "boolean",
                default="false",
            ),
            Field("consent_language", "Sprachfassung", maxlength=60),
            Field("revocation_explained", "Widerrufsrecht erklärt", "boolean", required=True),
        ],
    )
    p.xor("gw_consent", "Einwilligung?")
    p.xor("merge_short_advice")
    p.user(
        "short_advice",
        "Kurzberatung anonym dokumentieren",
        [
            Field(
                "advice_topic",
                "Thema",
                "enum",
                required=True,
                values=enum(
                    ("residence", "Aufenthalt"),
                    ("benefits", "Leistungen"),
                    ("work", "Arbeit"),
                    ("language", "Sprache"),
                    ("housing", "Wohnen"),
                    ("other", "Sonstiges"),
                ),
            ),
            Field("advice_minutes", "Dauer (Minuten)", "long", min=0, max=600),
        ],
    )
    p.end("end_short_advice", "Kurzberatung abgeschlossen")
    p.flow("gw_indication", "record_consent", 'indication == "case_management"', "Fallmanagement")
    p.flow("gw_indication", "merge_short_advice", name="Kurzberatung", default=True)
    p.chain("record_consent", "gw_consent")
    p.flow("gw_consent", "merge_short_advice", name="keine Einwilligung", default=True)
    p.chain("merge_short_advice", "short_advice", "end_short_advice")


def _assessment_and_plan(p: Process) -> None:
    p.xor("merge_assessment")
    p.flow("gw_consent", "merge_assessment", "consent_given == True", "Einwilligung liegt vor")
    p.user(
        "assessment",
        "Clearing durchführen",
        [
            Field("residence_title", "Aufenthaltsstatus", "enum", required=True, values=RESIDENCE_TITLES),
            Field("residence_paragraph", "Rechtsgrundlage (§)", maxlength=40),
            Field("residence_expiry", "Gültig bis", "date"),
            Field("residence_conditions", "Nebenbestimmungen", maxlength=500),
            Field("residence_obligation", "Wohnsitzauflage", "boolean", default="false"),
            Field("identity_clarified", "Identität geklärt", "boolean", default="false"),
            Field(
                "benefits_type",
                "Leistungsbezug",
                "enum",
                required=True,
                values=enum(
                    ("asylblg", "AsylbLG"),
                    ("sgb2", "SGB II (Jobcenter)"),
                    ("sgb12", "SGB XII"),
                    ("none", "keine Leistungen"),
                    ("other", "Sonstige"),
                ),
            ),
            Field("benefits_file_number", "Aktenzeichen Leistungsträger", maxlength=60),
            Field("language_level", "Sprachniveau Deutsch", "enum", values=LANGUAGE_LEVELS),
            Field(
                "integration_course",
                "Integrationskurs",
                "enum",
                values=enum(
                    ("none", "nicht begonnen"),
                    ("waiting", "angemeldet / Wartezeit"),
                    ("attending", "besucht"),
                    ("completed", "abgeschlossen"),
                ),
            ),
            Field("qualifications", "Schulbildung und Qualifikationen", maxlength=1000),
            Field(
                "work_status",
                "Arbeit",
                "enum",
                values=enum(
                    ("employed", "beschäftigt"),
                    ("seeking", "arbeitsuchend"),
                    ("training", "in Ausbildung"),
                    ("school", "Schule / Studium"),
                    ("not_allowed", "keine Arbeitserlaubnis"),
                    ("other", "Sonstiges"),
                ),
            ),
            Field(
                "housing",
                "Wohnen",
                "enum",
                values=enum(
                    ("shared_accommodation", "Gemeinschaftsunterkunft"),
                    ("own_flat", "eigene Wohnung"),
                    ("homeless", "wohnungslos"),
                    ("other", "Sonstiges"),
                ),
            ),
            Field("health_insurance", "Krankenversichert", "boolean", default="false"),
            Field("family", "Familiensituation", maxlength=1000),
            Field("debts", "Schulden", "boolean", default="false"),
        ],
    )
    p.rule("decide_urgency", "Dringlichkeit bestimmen", "urgency")
    p.user(
        "integration_plan",
        "Integrationsplan erstellen",
        [
            Field(
                "goal_area",
                "Zielbereich",
                "enum",
                required=True,
                values=enum(
                    ("language", "Sprache"),
                    ("work", "Arbeit / Ausbildung"),
                    ("residence", "Aufenthalt"),
                    ("benefits", "Existenzsicherung"),
                    ("housing", "Wohnen"),
                    ("health", "Gesundheit"),
                    ("education", "Bildung"),
                    ("family", "Familie"),
                    ("naturalisation", "Einbürgerung"),
                ),
            ),
            Field("goal_target", "Messbares Ziel", required=True, maxlength=500),
            Field(
                "goal_priority",
                "Priorität",
                "enum",
                required=True,
                values=enum(("high", "hoch"), ("medium", "mittel"), ("low", "niedrig")),
            ),
            Field("further_goals", "Weitere Ziele", maxlength=2000),
            Field("request_abh", "Maßnahme bei der Ausländerbehörde", "boolean", default="false"),
            Field("measure_abh", "Maßnahme Ausländerbehörde", maxlength=500),
            Field("request_jobcenter", "Maßnahme beim Jobcenter", "boolean", default="false"),
            Field("measure_jobcenter", "Maßnahme Jobcenter", maxlength=500),
            Field("request_sozialamt", "Maßnahme beim Sozialamt", "boolean", default="false"),
            Field("measure_sozialamt", "Maßnahme Sozialamt", maxlength=500),
            Field("request_ebh", "Maßnahme bei der Einbürgerungsbehörde", "boolean", default="false"),
            Field("measure_ebh", "Maßnahme Einbürgerungsbehörde", maxlength=500),
            Field("measures_due_date", "Maßnahmen erledigen bis", "date", required=True),
            Field("next_review_date", "Nächste Wiedervorlage", "date", required=True),
        ],
        priority="${case_priority}",
    )
    p.chain("merge_assessment", "assessment", "decide_urgency", "integration_plan")


def _coordination(p: Process) -> None:
    p.inclusive("gw_requests", "Anfragen an Ämter")
    p.inclusive("join_requests")
    p.flow("integration_plan", "gw_requests")
    for office, office_name in OFFICE_NAMES.items():
        p.lane(office)
        first = p.user(
            f"request_{office}",
            "Anfrage bearbeiten",
            request_form(office),
            due="P14D",
            priority="${case_priority}",
        )
        p.boundary_timer(f"timer_request_{office}", "10 Arbeitstage", first, duration='"P14D"')
        p.lane("kim_cm")
        p.script(f"remind_{office}", f"Erinnerung an {office_name}", f"reminder_{office}_sent = True")
        p.lane(office)
        second = p.user(
            f"request_{office}_reminded",
            "Anfrage bearbeiten (Erinnerung)",
            request_form(office),
            due="P7D",
            priority="${case_priority}",
        )
        p.boundary_timer(f"timer_reminder_{office}", "5 Arbeitstage", second, duration='"P7D"')
        lead = p.user(
            f"escalate_{office}",
            "Überfällige Anfrage klären (Teamleitung)",
            request_form(office),
            due="P3D",
            priority="90",
            properties={"role": "team_lead"},
        )
        p.xor(f"merge_{office}")
        p.flow("gw_requests", first, f"request_{office} == True", office_name)
        p.chain(first, f"merge_{office}")
        p.chain(f"timer_request_{office}", f"remind_{office}", second, f"merge_{office}")
        p.chain(f"timer_reminder_{office}", lead, f"merge_{office}")
        p.flow(f"merge_{office}", "join_requests")
    p.flow("gw_requests", "join_requests", name="keine Anfragen", default=True)
