"""Change of benefit jurisdiction AsylbLG -> SGB II / SGB XII after a BAMF recognition (benefit_transfer)."""

from bpmnlib import Field, Process, enum
from common import MUNICIPALITIES, lanes

DOC = (
    "Rechtskreiswechsel nach Anerkennung durch das BAMF: AsylbLG endet mit Ablauf des Zustellungsmonats, "
    "SGB II (oder SGB XII) gilt ab dem Folgemonat. Ziel: keine Leistungslücke."
)

PROTECTION = enum(
    ("asylum_16a", "Asylberechtigung (Art. 16a GG)"),
    ("refugee_3", "Flüchtlingsschutz (§ 3 AsylG)"),
    ("subsidiary_4", "subsidiärer Schutz (§ 4 AsylG)"),
    ("deportation_ban_60", "Abschiebungsverbot (§ 60 Abs. 5/7 AufenthG)"),
)


def build() -> Process:
    """Return the benefit_transfer process."""
    p = Process(
        "benefit_transfer",
        "Rechtskreiswechsel AsylbLG → SGB II",
        lanes("kim_cm", "abh", "sozialamt", "jobcenter", "kim_coord"),
        DOC,
    )
    _decision(p)
    _parallel_work(p)
    _job_centre(p)
    return p


def _decision(p: Process) -> None:
    p.lane("kim_cm")
    p.start(
        "start_bamf_decision",
        "BAMF-Bescheid zugestellt",
        message="bamf_decision_served",
        result_var="bamf_message",
    )
    p.user(
        "record_decision",
        "Bescheid erfassen",
        [
            Field("protection_type", "Schutzstatus", "enum", required=True, values=PROTECTION),
            Field("decision_date", "Datum des Bescheids", "date", required=True),
            Field("service_date", "Zustellung am", "date", required=True),
            Field("municipality", "Wohnort (Kommune)", "enum", required=True, values=MUNICIPALITIES),
            Field("household_size", "Personen im Haushalt", "long", required=True, min=1, max=20),
            Field("protected_members", "davon vom Bescheid erfasst", "long", required=True, min=1, max=20),
            Field("able_to_work", "Erwerbsfähig (mind. 3 Std. täglich)", "boolean", default="true"),
            Field("bamf_file_number", "BAMF-Aktenzeichen", maxlength=40),
        ],
        due="P2D",
        priority="90",
    )
    p.rule("decide_transfer_date", "Wechseldatum bestimmen", "transfer_date")
    p.parallel("split_work", "parallel")
    p.chain("start_bamf_decision", "record_decision", "decide_transfer_date", "split_work")


def _parallel_work(p: Process) -> None:
    p.lane("abh")
    p.user(
        "issue_provisional_certificate",
        "Fiktionsbescheinigung ausstellen",
        [
            Field("certificate_issued_date", "Ausgestellt am", "date", required=True),
            Field("certificate_valid_until", "Gültig bis", "date", required=True),
            Field("appeal_end", "Rechtsmittelfrist endet", "date", readonly=True),
        ],
        due="P7D",
    )
    p.user(
        "check_residence_obligation",
        "Wohnsitzauflage prüfen (§ 12a AufenthG)",
        [
            Field("residence_obligation_applies", "Wohnsitzauflage besteht", "boolean", default="false"),
            Field("obligation_municipality", "Wohnsitz verpflichtend in", "enum", values=MUNICIPALITIES),
            Field("obligation_note", "Begründung / Ausnahme (z. B. Arbeit, Ausbildung)", maxlength=1000),
        ],
    )
    p.catch_timer("timer_appeal_end", "Rechtsmittelfrist abgelaufen", date="appeal_end")
    p.user(
        "issue_residence_permit",
        "Aufenthaltserlaubnis erteilen",
        [
            Field(
                "permit_paragraph",
                "Rechtsgrundlage",
                "enum",
                required=True,
                values=enum(
                    ("25_1", "§ 25 Abs. 1 AufenthG"),
                    ("25_2_1", "§ 25 Abs. 2 Satz 1 Alt. 1 AufenthG"),
                    ("25_2_2", "§ 25 Abs. 2 Satz 1 Alt. 2 AufenthG"),
                    ("25_3", "§ 25 Abs. 3 AufenthG"),
                ),
            ),
            Field("permit_valid_until", "Gültig bis", "date", required=True),
        ],
    )
    p.chain(
        "split_work",
        "issue_provisional_certificate",
        "check_residence_obligation",
        "timer_appeal_end",
        "issue_residence_permit",
    )
    p.lane("sozialamt")
    p.user(
        "end_asylblg",
        "AsylbLG zum Monatsende einstellen",
        [
            Field("asylblg_end", "AsylbLG endet am", "date", readonly=True),
            Field("members_staying_asylblg", "Personen, die im AsylbLG bleiben", "long", readonly=True),
            Field("last_payment_date", "Letzte Zahlung am", "date", required=True),
            Field("transfer_sent", "Überleitung an Jobcenter / SGB XII übersandt", "boolean", required=True),
        ],
        due="P7D",
    )
    p.flow("split_work", "end_asylblg")
    p.lane("kim_cm")
    p.user(
        "help_file_application",
        "Leistungsantrag mit der Person stellen",
        [
            Field("target_office", "Zuständig künftig", readonly=True),
            Field("doc_id", "Ausweis / Pass liegt vor", "boolean", default="false"),
            Field(
                "doc_residence",
                "Aufenthaltsdokument / Fiktionsbescheinigung liegt vor",
                "boolean",
                default="false",
            ),
            Field("doc_tenancy", "Mietvertrag liegt vor", "boolean", default="false"),
            Field("doc_bank_account", "Bankverbindung liegt vor", "boolean", default="false"),
            Field("doc_health_insurance", "Krankenversicherung geklärt", "boolean", default="false"),
            Field("application_filed_date", "Antrag gestellt am", "date", required=True),
        ],
    )
    p.boundary_timer(
        "timer_application_reminder",
        "Antrag noch nicht gestellt",
        "help_file_application",
        date="application_reminder_date",
        interrupting=False,
    )
    p.user(
        "chase_application",
        "Antrag nachhalten: Frist läuft",
        [
            Field("chase_note", "Vermerk (Kontakt, Termin)", maxlength=1000),
        ],
        priority="90",
    )
    p.end("end_chased", "Erinnerung erledigt")
    p.flow("split_work", "help_file_application")
    p.chain("timer_application_reminder", "chase_application", "end_chased")
    p.parallel("join_work")
    for last in ("issue_residence_permit", "end_asylblg", "help_file_application"):
        p.flow(last, "join_work")


def _job_centre(p: Process) -> None:
    p.lane("jobcenter")
    p.xor("gw_target", "Zuständig?")
    p.xor("merge_decide")
    p.user(
        "decide_application",
        "Antrag entscheiden",
        [
            Field(
                "application_decision",
                "Entscheidung",
                "enum",
                required=True,
                values=enum(
                    ("approved", "bewilligt"),
                    ("missing_documents", "Unterlagen fehlen"),
                    ("rejected", "abgelehnt"),
                ),
            ),
            Field("approved_from", "Bewilligt ab", "date"),
            Field("jobcenter_file_number", "BG-Nummer", maxlength=40),
            Field("missing_documents", "Fehlende Unterlagen", maxlength=1000),
        ],
        due="P10D",
        priority="90",
    )
    p.boundary_timer(
        "timer_gap_alarm", "Lückenalarm", "decide_application", date="gap_alarm_date", interrupting=False
    )
    p.xor("gw_decision", "Entscheidung?")
    p.parallel("split_approved")
    p.user(
        "first_interview",
        "Erstgespräch führen",
        [
            Field("interview_date", "Erstgespräch am", "date", required=True),
            Field("integration_agreement", "Kooperationsplan vereinbart", "boolean", default="false"),
        ],
    )
    p.parallel("join_approved")
    p.end("end_transferred", "Rechtskreiswechsel abgeschlossen")
    p.chain("join_work", "gw_target")
    p.flow("gw_target", "merge_decide", 'target_office == "jobcenter"', "Jobcenter")
    p.chain("merge_decide", "decide_application", "gw_decision")
    p.flow("gw_decision", "split_approved", 'application_decision == "approved"', "bewilligt")
    p.chain("split_approved", "first_interview", "join_approved", "end_transferred")
    p.lane("sozialamt")
    p.user(
        "reconcile_payments",
        "Überschneidende Zahlungen abgleichen",
        [
            Field("approved_from", "SGB II bewilligt ab", "date", readonly=True),
            Field("overlap_amount", "Überzahlung AsylbLG (Euro)", "long", min=0),
            Field(
                "refund_claim_filed",
                "Erstattungsanspruch (§ 104 SGB X) angemeldet",
                "boolean",
                default="false",
            ),
        ],
    )
    p.flow("split_approved", "reconcile_payments")
    p.flow("reconcile_payments", "join_approved")
    p.user(
        "decide_sgb12",
        "SGB-XII-Leistung entscheiden",
        [
            Field("sgb12_approved_from", "Bewilligt ab", "date", required=True),
            Field("sgb12_file_number", "Aktenzeichen", maxlength=40),
        ],
    )
    p.end("end_sgb12", "SGB XII bewilligt")
    p.flow("gw_target", "decide_sgb12", name="SGB XII", default=True)
    p.chain("decide_sgb12", "end_sgb12")
    p.lane("kim_cm")
    p.user(
        "submit_missing_documents",
        "Fehlende Unterlagen nachreichen",
        [
            Field("missing_documents", "Fehlende Unterlagen", readonly=True),
            Field("documents_submitted_date", "Nachgereicht am", "date", required=True),
        ],
        priority="90",
    )
    p.flow(
        "gw_decision",
        "submit_missing_documents",
        'application_decision == "missing_documents"',
        "Unterlagen fehlen",
    )
    p.flow("submit_missing_documents", "merge_decide")
    p.user(
        "review_rejection",
        "Ablehnung prüfen (Widerspruch?)",
        [
            Field("objection_filed", "Widerspruch eingelegt", "boolean", default="false"),
            Field("rejection_note", "Vermerk", maxlength=1000),
        ],
    )
    p.end("end_rejected", "Antrag abgelehnt")
    p.flow("gw_decision", "review_rejection", name="abgelehnt", default=True)
    p.chain("review_rejection", "end_rejected")
    p.lane("kim_coord")
    p.user(
        "escalate_gap",
        "Leistungslücke eskalieren",
        [
            Field("gap_alarm_date", "Alarm seit", "date", readonly=True),
            Field("escalation_contact", "Ansprechpartner/in Jobcenter", maxlength=200),
            Field("escalation_note", "Vereinbarung / Vorschuss (§ 42 SGB I)", maxlength=1000),
        ],
        priority="90",
    )
    p.end("end_gap_escalated", "Lücke eskaliert")
    p.chain("timer_gap_alarm", "escalate_gap", "end_gap_escalated")
