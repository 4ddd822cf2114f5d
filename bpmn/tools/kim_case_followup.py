"""The KIM case-management cycle, after the offices' answers: monitoring, closure and structural problems."""

from bpmnlib import Field, Process, enum
from common import CLOSURE_REASONS


def monitoring(p: Process) -> None:
    p.lane("kim_cm")
    p.xor("merge_monitoring")
    p.event_based("gw_monitoring", "Wiedervorlage oder Ereignis")
    p.catch_timer("timer_review", "Wiedervorlage fällig", date="next_review_date")
    p.catch_message("status_changed", "Statusänderung gemeldet", "case_status_changed", "status_event")
    p.catch_message(
        "naturalisation_done", "Einbürgerung vollzogen", "naturalisation_completed", "naturalisation_result"
    )
    p.xor("merge_review")
    p.user(
        "review_goals",
        "Ziele überprüfen",
        [
            Field(
                "review_result",
                "Stand der Ziele",
                "enum",
                required=True,
                values=enum(("on_track", "auf gutem Weg"), ("delayed", "verzögert"), ("met", "erreicht")),
            ),
            Field("situation_changed", "Lage hat sich geändert (neues Clearing)", "boolean", default="false"),
            Field(
                "next_step",
                "Weiteres Vorgehen",
                "enum",
                required=True,
                values=enum(
                    ("continue", "weiter begleiten"),
                    ("reassess", "neu einschätzen"),
                    ("close", "Fall abschließen"),
                ),
            ),
            Field(
                "follow_up_process",
                "Folgeverfahren anstoßen",
                "enum",
                default="none",
                values=enum(
                    ("none", "keines"),
                    ("benefit_transfer", "Rechtskreiswechsel nach BAMF-Bescheid"),
                    ("work_permit", "Beschäftigungserlaubnis"),
                    ("naturalisation", "Einbürgerung"),
                ),
            ),
            Field("next_review_date", "Nächste Wiedervorlage", "date", required=True),
            Field("review_note", "Vermerk", maxlength=2000),
        ],
    )
    p.xor("gw_follow_up", "Folgeverfahren?")
    p.throw(
        "throw_benefit_transfer",
        "BAMF-Bescheid melden",
        "bamf_decision_served",
        '{"case_municipality": municipality, "language": language}',
        "bamf_message",
    )
    p.throw(
        "throw_work_permit",
        "Beschäftigungserlaubnis anstoßen",
        "work_permit_requested",
        '{"case_municipality": municipality, "residence_title": residence_title}',
        "request_message",
    )
    p.throw(
        "throw_naturalisation",
        "Einbürgerung anstoßen",
        "naturalisation_requested",
        '{"case_municipality": municipality, "language_level": language_level}',
        "request_message",
    )
    p.xor("merge_follow_up")
    p.xor("gw_next_step", "Weiter?")
    p.chain("join_requests", "merge_monitoring", "gw_monitoring")
    p.flow("gw_monitoring", "timer_review")
    p.flow("gw_monitoring", "status_changed")
    p.flow("gw_monitoring", "naturalisation_done")
    p.chain("timer_review", "merge_review")
    p.chain("status_changed", "merge_review")
    p.chain("merge_review", "review_goals", "gw_follow_up")
    for kind in ("benefit_transfer", "work_permit", "naturalisation"):
        p.flow("gw_follow_up", f"throw_{kind}", f'follow_up_process == "{kind}"')
        p.flow(f"throw_{kind}", "merge_follow_up")
    p.flow("gw_follow_up", "merge_follow_up", name="keines", default=True)
    p.flow("merge_follow_up", "gw_next_step")
    p.flow(
        "gw_next_step",
        "merge_assessment",
        'next_step == "reassess" or (situation_changed == True and next_step != "close")',
        "neues Clearing",
    )
    p.flow("gw_next_step", "merge_monitoring", name="weiter begleiten", default=True)


def closure(p: Process) -> None:
    p.script("mark_naturalised", "Abschlussgrund: eingebürgert", 'closure_reason = "naturalised"')
    p.xor("merge_closure")
    p.user(
        "close_case",
        "Fall abschließen",
        [
            Field("closure_reason", "Abschlussgrund", "enum", required=True, values=CLOSURE_REASONS),
            Field("final_assessment", "Abschließende Einschätzung", required=True, maxlength=4000),
        ],
    )
    p.rule("decide_retention", "Aufbewahrungsfrist bestimmen", "retention_period")
    p.catch_timer("timer_retention", "Aufbewahrungsfrist abgelaufen", duration="retention_period")
    p.service("anonymise_case", "Fall anonymisieren", "anonymise_case")
    p.end("end_closed", "Fall abgeschlossen und anonymisiert")
    p.chain("naturalisation_done", "mark_naturalised", "merge_closure")
    p.flow("gw_next_step", "merge_closure", 'next_step == "close"', "abschließen")
    p.chain(
        "merge_closure", "close_case", "decide_retention", "timer_retention", "anonymise_case", "end_closed"
    )


def structural_problem(p: Process) -> None:
    sub = p.event_subprocess("structural_problem", "Strukturelles Problem melden", "kim_coord")
    with sub as s:
        s.start(
            "start_structural_problem",
            "Strukturproblem gemeldet",
            message="structural_problem_reported",
            result_var="structural_problem",
            interrupting=False,
        )
        s.user(
            "assess_structural_problem",
            "Strukturproblem bewerten",
            [
                Field("problem_description", "Beschreibung (anonymisiert)", required=True, maxlength=4000),
                Field(
                    "problem_office",
                    "Betroffene Stelle",
                    "enum",
                    required=True,
                    values=enum(
                        ("abh", "Ausländerbehörde"),
                        ("jobcenter", "Jobcenter"),
                        ("sozialamt", "Sozialamt"),
                        ("ebh", "Einbürgerungsbehörde"),
                        ("other", "andere Stelle"),
                    ),
                ),
                Field(
                    "problem_category",
                    "Kategorie",
                    "enum",
                    required=True,
                    values=enum(
                        ("waiting_time", "Wartezeiten"),
                        ("interface", "Schnittstelle / Zuständigkeit"),
                        ("benefit_gap", "Leistungslücke"),
                        ("information", "Informationsfluss"),
                        ("language", "Sprachmittlung"),
                        ("legal", "Rechtslage"),
                        ("other", "Sonstiges"),
                    ),
                ),
                Field(
                    "problem_status",
                    "Status",
                    "enum",
                    required=True,
                    default="new",
                    values=enum(
                        ("new", "neu"),
                        ("steering_group", "für Lenkungsgruppe vorgemerkt"),
                        ("solved", "gelöst"),
                        ("rejected", "nicht weiter verfolgt"),
                    ),
                ),
            ],
        )
        s.end("end_structural_problem", "Strukturproblem erfasst")
        s.chain("start_structural_problem", "assess_structural_problem", "end_structural_problem")
