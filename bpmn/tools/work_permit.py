"""Work permit and residence coordination (work_permit)."""

from bpmnlib import Field, Process, enum
from common import LANGUAGE_LEVELS, MUNICIPALITIES, lanes

DOC = (
    "Beschäftigungserlaubnis: Stellenangebot, Prüfung durch die Ausländerbehörde, Zustimmung der "
    "Bundesagentur (Schweigen gilt nach zwei Wochen als Zustimmung), Beschäftigungsduldung § 60d."
)


def build() -> Process:
    """Return the work_permit process."""
    p = Process("work_permit", "Beschäftigungserlaubnis", lanes("kim_cm", "abh"), DOC)
    _offer_and_check(p)
    _agency(p)
    return p


def _offer_and_check(p: Process) -> None:
    p.lane("kim_cm")
    p.start(
        "start_work_permit",
        "Beschäftigung angefragt",
        message="work_permit_requested",
        result_var="request_message",
    )
    p.user(
        "record_offer",
        "Stellenangebot erfassen",
        [
            Field("employer_name", "Arbeitgeber", required=True, maxlength=200),
            Field("job_title", "Tätigkeit", required=True, maxlength=200),
            Field(
                "employment_type",
                "Art",
                "enum",
                required=True,
                values=enum(
                    ("employment", "Beschäftigung"), ("vocational_training", "qualifizierte Berufsausbildung")
                ),
            ),
            Field("weekly_hours", "Wochenstunden", "long", required=True, min=1, max=60),
            Field("monthly_salary", "Bruttolohn monatlich (Euro)", "long", min=0),
            Field("job_start_date", "Beginn", "date", required=True),
            Field("municipality", "Wohnort (Kommune)", "enum", required=True, values=MUNICIPALITIES),
        ],
    )
    p.lane("abh")
    p.user(
        "check_application",
        "Antrag prüfen",
        [
            Field(
                "residence_title",
                "Aufenthaltsstatus",
                "enum",
                required=True,
                values=enum(
                    ("aufenthaltsgestattung", "Aufenthaltsgestattung"),
                    ("duldung", "Duldung"),
                    ("aufenthaltserlaubnis", "Aufenthaltserlaubnis"),
                ),
            ),
            Field("residence_months", "Voraufenthalt (Monate)", "long", required=True, min=0, max=600),
            Field(
                "safe_country_work_ban",
                "Beschäftigungsverbot (sicherer Herkunftsstaat)",
                "boolean",
                default="false",
            ),
            Field("identity_clarified", "Identität geklärt", "boolean", default="false"),
            Field("toleration_months", "Geduldet seit (Monate)", "long", min=0, max=600),
            Field(
                "employment_months_20h",
                "Bisherige Beschäftigung mit mind. 20 Std./Woche (Monate)",
                "long",
                min=0,
                max=600,
            ),
            Field("self_supporting", "Lebensunterhalt gesichert", "boolean", default="false"),
            Field("german_level", "Deutschkenntnisse", "enum", values=LANGUAGE_LEVELS),
            Field("convictions", "Relevante Verurteilungen", "boolean", default="false"),
        ],
        due="P14D",
    )
    p.xor("gw_toleration", "Duldung?")
    p.rule("decide_toleration", "Beschäftigungsduldung prüfen (§ 60d)", "employment_toleration")
    p.xor("merge_toleration")
    p.rule("decide_agency_consent", "Zustimmung der BA erforderlich?", "agency_consent")
    p.chain("start_work_permit", "record_offer", "check_application", "gw_toleration")
    p.flow("gw_toleration", "decide_toleration", 'residence_title == "duldung"', "Duldung")
    p.flow("gw_toleration", "merge_toleration", name="sonst", default=True)
    p.chain("decide_toleration", "merge_toleration", "decide_agency_consent")


def _agency(p: Process) -> None:
    p.xor("gw_consent", "Zustimmung?")
    p.user(
        "reject_work_ban",
        "Ablehnung wegen Beschäftigungsverbot",
        [
            Field("consent_reason", "Begründung", readonly=True),
            Field("rejection_date", "Bescheid vom", "date", required=True),
        ],
    )
    p.end("end_work_ban", "abgelehnt (Beschäftigungsverbot)")
    p.user(
        "request_agency",
        "Zustimmung der Bundesagentur anfragen",
        [
            Field("agency_request_date", "Angefragt am", "date", required=True),
            Field("agency_reference", "Aktenzeichen BA", maxlength=60),
        ],
    )
    p.event_based("gw_agency", "Antwort oder Fristablauf")
    p.catch_message(
        "agency_answer", "Antwort der Bundesagentur", "agency_consent_response", "agency_response"
    )
    p.catch_timer("timer_agency_silence", "2 Wochen ohne Antwort", duration='"P14D"')
    p.script("deemed_consent", "Zustimmung gilt als erteilt", 'agency_consent = "deemed"')
    p.user(
        "record_agency_answer",
        "Antwort der Bundesagentur erfassen",
        [
            Field(
                "agency_consent",
                "Zustimmung",
                "enum",
                required=True,
                values=enum(("granted", "erteilt"), ("refused", "versagt")),
            ),
            Field("agency_conditions", "Beschränkungen (Arbeitgeber, Tätigkeit, Dauer)", maxlength=1000),
        ],
    )
    p.xor("gw_agency_answer", "Zustimmung erteilt?")
    p.user(
        "reject_agency_refusal",
        "Ablehnung nach Versagung der Zustimmung",
        [
            Field("rejection_date", "Bescheid vom", "date", required=True),
        ],
    )
    p.end("end_refused", "abgelehnt (keine Zustimmung)")
    p.xor("merge_issue")
    p.user(
        "issue_permit",
        "Beschäftigung erlauben",
        [
            Field("toleration_eligible", "Beschäftigungsduldung (§ 60d) möglich", "boolean", readonly=True),
            Field("toleration_reason", "Prüfergebnis § 60d", readonly=True),
            Field("grant_toleration", "Beschäftigungsduldung erteilt", "boolean", default="false"),
            Field("permit_issued_date", "Erlaubnis erteilt am", "date", required=True),
            Field("permit_valid_until", "Gültig bis", "date", required=True),
            Field("permit_conditions", "Nebenbestimmungen", maxlength=1000),
        ],
    )
    p.end("end_permitted", "Beschäftigung erlaubt")
    p.flow("decide_agency_consent", "gw_consent")
    p.flow("gw_consent", "reject_work_ban", "work_ban == True", "Beschäftigungsverbot")
    p.chain("reject_work_ban", "end_work_ban")
    p.flow("gw_consent", "request_agency", "work_ban == False and consent_needed == True", "Zustimmung nötig")
    p.chain("request_agency", "gw_agency")
    p.flow("gw_agency", "agency_answer")
    p.flow("gw_agency", "timer_agency_silence")
    p.chain("agency_answer", "record_agency_answer", "gw_agency_answer")
    p.flow("gw_agency_answer", "reject_agency_refusal", 'agency_consent == "refused"', "versagt")
    p.chain("reject_agency_refusal", "end_refused")
    p.flow("gw_agency_answer", "merge_issue", name="erteilt", default=True)
    p.chain("timer_agency_silence", "deemed_consent", "merge_issue")
    p.flow("gw_consent", "merge_issue", name="zustimmungsfrei", default=True)
    p.chain("merge_issue", "issue_permit", "end_permitted")
