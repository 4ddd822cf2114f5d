"""Naturalisation under §10 StAG as amended in June 2024 (naturalisation, Baustein 3)."""

from bpmnlib import Field, Process, enum
from common import LANGUAGE_LEVELS, MUNICIPALITIES, lanes

DOC = (
    "Einbürgerung: Schnellprüfung (DMN), Termin, Antrag, Vollständigkeit mit 4-Wochen-Frist, parallele "
    "Prüfungen (Verfassungsschutz ab 16, Bundeszentralregister, Ausländerakte), Vorsprache, Entscheidung, "
    "Urkunde; meldet naturalisation_completed an den KIM-Fall."
)

RESIDENCE_BASIS = enum(
    ("settled", "Niederlassungserlaubnis / Daueraufenthalt-EU"),
    ("protection", "Aufenthaltserlaubnis aus Schutzstatus (§ 25 Abs. 1, 2 AufenthG)"),
    ("employment", "Erwerbstätigkeit (§§ 18a, 18b, 18g, 19c, 21 AufenthG)"),
    ("family", "Familiennachzug (§§ 27-36 AufenthG)"),
    ("eu_citizen", "EU-/EWR-Staatsangehörigkeit"),
    ("study_training", "Studium, Ausbildung, Arbeitsuche (§§ 16a-17, 20 AufenthG) – schließt aus"),
    (
        "temporary_humanitarian",
        "vorübergehend humanitär (§§ 22, 23a, 24, 25 Abs. 3-5 AufenthG) – schließt aus",
    ),
    ("chancen_104c", "Chancen-Aufenthaltsrecht (§ 104c AufenthG) – schließt aus"),
    ("toleration", "Duldung / Aufenthaltsgestattung – schließt aus"),
)


def build() -> Process:
    """Return the naturalisation process."""
    p = Process("naturalisation", "Einbürgerung", lanes("kim_cm", "ebh", "abh"), DOC)
    _quick_check(p)
    _application(p)
    _checks(p)
    _decision(p)
    return p


def _quick_check(p: Process) -> None:
    p.lane("kim_cm")
    p.start(
        "start_naturalisation",
        "Einbürgerung angestoßen",
        message="naturalisation_requested",
        result_var="request_message",
    )
    p.user(
        "quick_check",
        "Schnellprüfung Einbürgerung",
        [
            Field("municipality", "Wohnort (Kommune)", "enum", required=True, values=MUNICIPALITIES),
            Field("residence_basis", "Aufenthaltsgrundlage", "enum", required=True, values=RESIDENCE_BASIS),
            Field(
                "lawful_residence_months",
                "Rechtmäßiger Aufenthalt (Monate)",
                "long",
                required=True,
                min=0,
                max=1200,
            ),
            Field("german_level", "Deutschkenntnisse", "enum", required=True, values=LANGUAGE_LEVELS),
            Field("naturalisation_test_passed", "Einbürgerungstest bestanden", "boolean", default="false"),
            Field("german_school_certificate", "Deutscher Schulabschluss", "boolean", default="false"),
            Field("self_supporting", "Lebensunterhalt ohne SGB II/XII gesichert", "boolean", default="false"),
            Field("identity_clarified", "Identität geklärt", "boolean", default="false"),
            Field("relevant_convictions", "Relevante Verurteilungen", "boolean", default="false"),
            Field(
                "applicant_age", "Alter der antragstellenden Person", "long", required=True, min=0, max=120
            ),
            Field("children_count", "Miteinzubürgernde Kinder unter 16", "long", default="0", min=0, max=15),
        ],
    )
    p.rule("decide_eligibility", "Voraussetzungen prüfen", "naturalisation_eligibility")
    p.xor("gw_eligible", "Anspruch?")
    p.rule("list_missing_items", "Fehlende Voraussetzungen ermitteln", "naturalisation_missing_items")
    p.user(
        "advise_missing_items",
        "Zu fehlenden Voraussetzungen beraten",
        [
            Field("first_missing_item", "Fehlt zuerst", readonly=True),
            Field("advice_note", "Vereinbarte Schritte (z. B. B1-Kurs, Test)", maxlength=2000),
            Field("recheck_date", "Erneut prüfen am", "date"),
        ],
    )
    p.end("end_not_eligible", "noch nicht einbürgerbar")
    p.chain("start_naturalisation", "quick_check", "decide_eligibility", "gw_eligible")
    p.flow("gw_eligible", "list_missing_items", name="Voraussetzungen fehlen", default=True)
    p.chain("list_missing_items", "advise_missing_items", "end_not_eligible")


def _application(p: Process) -> None:
    p.user(
        "book_appointment",
        "Termin bei der Einbürgerungsbehörde buchen",
        [
            Field("appointment_date", "Termin am", "date", required=True),
            Field("appointment_reference", "Buchungsnummer", maxlength=60),
        ],
    )
    p.script("compute_fee", "Gebühr berechnen", "naturalisation_fee = 255 + 51 * int(children_count or 0)")
    p.user(
        "submit_application",
        "Antrag einreichen",
        [
            Field("naturalisation_fee", "Gebühr (Euro)", "long", readonly=True),
            Field("doc_passport", "Pass", "boolean", default="false"),
            Field("doc_residence_title", "Aufenthaltstitel", "boolean", default="false"),
            Field("doc_civil_status", "Personenstandsurkunden mit Übersetzung", "boolean", default="false"),
            Field("doc_cv", "Lebenslauf", "boolean", default="false"),
            Field("doc_income", "Einkommensnachweise", "boolean", default="false"),
            Field("doc_b1", "B1-Zertifikat", "boolean", default="false"),
            Field("doc_test", "Einbürgerungstest / Schulabschluss", "boolean", default="false"),
            Field("application_date", "Antrag gestellt am", "date", required=True),
        ],
    )
    p.flow("gw_eligible", "book_appointment", "eligible == True", "einbürgerbar")
    p.chain("book_appointment", "compute_fee", "submit_application")
    p.lane("ebh")
    p.xor("merge_completeness")
    p.user(
        "check_completeness",
        "Vollständigkeit prüfen",
        [
            Field("application_complete", "Antrag vollständig", "boolean", default="false"),
            Field("missing_documents", "Fehlende Unterlagen", maxlength=1000),
            Field("ebh_file_number", "Aktenzeichen", maxlength=60),
        ],
        due="P14D",
    )
    p.xor("gw_complete", "vollständig?")
    p.user(
        "request_documents",
        "Fehlende Unterlagen anfordern",
        [
            Field("missing_documents", "Fehlende Unterlagen", readonly=True),
            Field("documents_requested_date", "Angefordert am", "date", required=True),
        ],
    )
    p.lane("kim_cm")
    p.xor("merge_documents")
    p.user(
        "submit_documents",
        "Unterlagen nachreichen",
        [
            Field("missing_documents", "Fehlende Unterlagen", readonly=True),
            Field("documents_submitted_date", "Nachgereicht am", "date", required=True),
        ],
        due="P28D",
    )
    p.boundary_timer("timer_documents", "4 Wochen", "submit_documents", duration='"P28D"')
    p.lane("ebh")
    p.user(
        "remind_documents",
        "Unterlagen anmahnen",
        [
            Field("reminder_date", "Erinnert am", "date", required=True),
        ],
    )
    p.chain("submit_application", "merge_completeness", "check_completeness", "gw_complete")
    p.flow("gw_complete", "request_documents", name="unvollständig", default=True)
    p.chain("request_documents", "merge_documents", "submit_documents", "merge_completeness")
    p.chain("timer_documents", "remind_documents", "merge_documents")


def _checks(p: Process) -> None:
    p.lane("ebh")
    p.parallel("split_checks", "Prüfungen")
    p.flow("gw_complete", "split_checks", "application_complete == True", "vollständig")
    p.xor("gw_age", "16 oder älter?")
    p.user(
        "security_query",
        "Regelanfrage Verfassungsschutz",
        [
            Field(
                "security_result",
                "Ergebnis",
                "enum",
                required=True,
                values=enum(("no_findings", "keine Erkenntnisse"), ("findings", "Erkenntnisse liegen vor")),
            ),
        ],
        due="P8W",
    )
    p.boundary_timer("timer_security_sla", "8 Wochen", "security_query", duration='"P8W"', interrupting=False)
    p.user(
        "chase_security_query",
        "Regelanfrage nachfassen",
        [
            Field("chase_note", "Vermerk", maxlength=1000),
        ],
    )
    p.end("end_security_chased", "nachgefasst")
    p.xor("merge_age")
    p.user(
        "criminal_register",
        "Auskunft Bundeszentralregister einholen",
        [
            Field(
                "register_result",
                "Ergebnis",
                "enum",
                required=True,
                values=enum(
                    ("no_entries", "keine Eintragungen"),
                    ("minor_entries", "unbeachtliche Eintragungen"),
                    ("relevant_entries", "relevante Verurteilungen"),
                ),
            ),
        ],
    )
    p.chain("split_checks", "gw_age")
    p.flow("gw_age", "security_query", "applicant_age >= 16", "ab 16")
    p.flow("gw_age", "merge_age", name="unter 16", default=True)
    p.chain("security_query", "merge_age")
    p.chain("timer_security_sla", "chase_security_query", "end_security_chased")
    p.flow("split_checks", "criminal_register")
    p.lane("abh")
    p.user(
        "abh_file_check",
        "Ausländerakte prüfen und Stellung nehmen",
        [
            Field(
                "abh_statement",
                "Stellungnahme",
                "enum",
                required=True,
                values=enum(("no_objection", "keine Bedenken"), ("objection", "Bedenken")),
            ),
            Field("abh_note", "Begründung", maxlength=2000),
        ],
        due="P30D",
    )
    p.boundary_timer("timer_abh_sla", "30 Tage", "abh_file_check", duration='"P30D"', interrupting=False)
    p.lane("ebh")
    p.user(
        "chase_abh_statement",
        "Stellungnahme der Ausländerbehörde anmahnen",
        [
            Field("chase_note", "Vermerk", maxlength=1000),
        ],
    )
    p.end("end_abh_chased", "angemahnt")
    p.flow("split_checks", "abh_file_check")
    p.chain("timer_abh_sla", "chase_abh_statement", "end_abh_chased")
    p.parallel("join_checks")
    for last in ("merge_age", "criminal_register", "abh_file_check"):
        p.flow(last, "join_checks")


def _decision(p: Process) -> None:
    p.lane("ebh")
    p.user(
        "personal_appearance",
        "Persönliche Vorsprache",
        [
            Field("appearance_date", "Vorsprache am", "date", required=True),
            Field(
                "commitment_declared",
                "Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben",
                "boolean",
                default="false",
            ),
        ],
    )
    p.user(
        "decide_naturalisation",
        "Über die Einbürgerung entscheiden",
        [
            Field(
                "naturalisation_decision",
                "Entscheidung",
                "enum",
                required=True,
                values=enum(("approved", "Einbürgerung"), ("rejected", "Ablehnung")),
            ),
            Field("decision_note", "Begründung", maxlength=4000),
        ],
    )
    p.xor("gw_decision", "Entscheidung?")
    p.user(
        "hand_over_certificate",
        "Einbürgerungsurkunde aushändigen",
        [
            Field("handover_date", "Ausgehändigt am (Wirksamkeit)", "date", required=True),
            Field("certificate_number", "Urkundennummer", maxlength=60),
        ],
    )
    p.throw(
        "notify_registration_office",
        "Meldebehörde unterrichten",
        "registration_office_notified",
        '{"handover_date": handover_date, "municipality": municipality}',
        "naturalisation_notice",
    )
    p.lane("abh")
    p.user(
        "close_abh_file",
        "Ausländerakte abschließen (eingebürgert)",
        [
            Field("handover_date", "Eingebürgert am", "date", readonly=True),
            Field("file_closed_date", "Akte abgeschlossen am", "date", required=True),
        ],
    )
    p.lane("ebh")
    p.end(
        "end_naturalised",
        "eingebürgert",
        message="naturalisation_completed",
        expression='{"certificate_date": handover_date, "closure_reason": "naturalised"}',
        result_var="naturalisation_result",
    )
    p.user(
        "notify_rejection",
        "Ablehnungsbescheid zustellen",
        [
            Field("rejection_served_date", "Zugestellt am", "date", required=True),
        ],
    )
    p.end("end_rejected", "abgelehnt")
    p.chain("join_checks", "personal_appearance", "decide_naturalisation", "gw_decision")
    p.flow("gw_decision", "hand_over_certificate", 'naturalisation_decision == "approved"', "Einbürgerung")
    p.chain("hand_over_certificate", "notify_registration_office", "close_abh_file", "end_naturalised")
    p.flow("gw_decision", "notify_rejection", name="Ablehnung", default=True)
    p.chain("notify_rejection", "end_rejected")
