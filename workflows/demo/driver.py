"""`kimflow demo`: seed the district and drive synthetic cases through the engine over two past years.

Everything is produced by engine calls (start, complete, correlate, due timers at injected times) in
one global timeline, so timers fire in order across cases. Nothing is inserted behind the engine.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from engine.bpmn.forms import Form, form_for
from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError
from engine.service import jobs
from engine.service.engine import ProcessEngine
from engine.store import reference
from engine.store.models import DefinitionVersion, HumanTask, Job, MessageSubscription, ProcessInstance
from workflows.demo import forms as demo_forms
from workflows.demo.forms import Plan
from workflows.demo.people import make_person
from workflows.demo.users import DemoUser, ensure_users
from workflows.library import deploy_library
from workflows.seed import seed_units
from workflows.steering.report import set_posts

# Case-manager full-time posts per municipality (synthetic, roughly by population) for the per-post figures.
DEMO_POSTS = {"neuss": 3.0, "dormagen": 1.5, "grevenbroich": 1.5, "meerbusch": 1.0, "kaarst": 1.0,
              "korschenbroich": 0.5, "juechen": 0.5, "rommerskirchen": 0.5}

DEMO_KEY = "demo-"
SPAN = dt.timedelta(days=730)
SYSTEM = Actor.system_actor("demo")
# (cases started so far, cases planned, steps taken) -> None; called about ten times per run.
Progress = Callable[[int, int, int], None]


@dataclass
class DemoCase:
    """One synthetic case: its plan, when it starts and when the demo stops working on it."""

    index: int
    plan: Plan
    start_at: dt.datetime
    stop_at: dt.datetime
    case_ref: str | None = None
    messages_sent: set[str] = field(default_factory=set)
    status_event_due: bool = False


@dataclass
class DemoResult:
    """What the demo did, for the command's output."""

    users: list[DemoUser]
    cases_created: int
    existing: bool
    seconds: float
    steps: int = 0
    form_errors: int = 0
    processes: dict[str, Counter] = field(default_factory=dict)


def run_demo(engine: ProcessEngine, *, cases: int = 300, seed: int | None = None,
             now: dt.datetime | None = None, progress: Progress | None = None) -> DemoResult:
    """Deploy the library, seed units and users, and create `cases` demo cases unless they exist."""
    started = time.perf_counter()
    deploy_library(engine, actor=SYSTEM)
    with engine.db.unit_of_work() as session:
        seed_units(session)
        users = ensure_users(session)
        set_posts(session, DEMO_POSTS)
    existing = demo_exists(engine)
    sim = Simulation(engine, users, random.Random(seed), now or clock.now())
    sim.progress = progress
    if not existing and cases > 0:
        sim.plan_cases(cases)
        sim.run()
    return DemoResult(users, 0 if existing else cases, existing, time.perf_counter() - started, sim.steps,
                      sim.form_errors, process_counts(engine))


def demo_exists(engine: ProcessEngine) -> bool:
    """Tell whether demo cases were created before (their instances carry a demo business key)."""
    with engine.db.reading() as session:
        return bool(session.scalar(select(func.count()).select_from(ProcessInstance)
                                   .where(ProcessInstance.business_key.like(f"{DEMO_KEY}%"))))


def process_counts(engine: ProcessEngine) -> dict[str, Counter]:
    """Return instance counts per process and status."""
    with engine.db.reading() as session:
        rows = session.execute(select(ProcessInstance.process_id, ProcessInstance.status, func.count())
                               .group_by(ProcessInstance.process_id, ProcessInstance.status)).all()
    counts: dict[str, Counter] = {}
    for process_id, status, n in rows:
        counts.setdefault(process_id, Counter())[status] = n
    return counts


class Simulation:
    """Drive demo cases in one global timeline, firing due timers before each step."""

    def __init__(self, engine: ProcessEngine, users: list[DemoUser], rng: random.Random, now: dt.datetime):
        self.engine, self.rng, self.now = engine, rng, now
        self.by_unit = {u.units[0]: u for u in users if u.role == "staff" and u.units}
        self.by_office = {u.office: u for u in users if u.role == "staff" and u.office}
        self.cases: list[DemoCase] = []
        self.queue: list[tuple[dt.datetime, int, int]] = []
        self.forms: dict[tuple[int, str], Form | None] = {}
        self.steps = self.form_errors = self._seq = self.started = 0
        self.progress: Progress | None = None

    def plan_cases(self, count: int) -> None:
        """Invent `count` cases with start times over the past two years."""
        for index in range(count):
            start = self.now - SPAN + dt.timedelta(seconds=self.rng.uniform(0, SPAN.total_seconds() - 86400))
            stop = self.now if self.rng.random() < 0.5 else start + dt.timedelta(days=self.rng.randint(1, 400))
            case = DemoCase(index, self._plan(), start, min(stop, self.now))
            self.cases.append(case)
            self._schedule(case, start)

    def _plan(self) -> Plan:
        rng = self.rng
        person = make_person(rng, self.now.date())
        indication = rng.choices(["case_management", "standard_service", "short_advice"], [84, 8, 8])[0]
        follow_up = rng.choices(["none", "benefit_transfer", "work_permit", "naturalisation"], [25, 30, 20, 25])[0]
        titles = {"benefit_transfer": ["aufenthaltsgestattung"], "work_permit": ["duldung", "aufenthaltsgestattung"],
                  "naturalisation": ["niederlassungserlaubnis"]}.get(follow_up) or [
                      "aufenthaltserlaubnis", "aufenthaltsgestattung", "duldung", "fiktionsbescheinigung"]
        title = rng.choice(titles)
        offices = tuple(o for o in ("abh", "jobcenter", "sozialamt", "ebh") if rng.random() < 0.3)
        return Plan(person, indication=indication, consent=rng.random() < 0.93, offices=offices, follow_up=follow_up,
                    follow_up_outcome="approved" if rng.random() < 0.8 else "rejected",
                    reviews_before_close=rng.randint(1, 2), residence_title=title,
                    structural_problem=rng.random() < 0.12)

    def _schedule(self, case: DemoCase, at: dt.datetime) -> None:
        self._seq += 1
        heapq.heappush(self.queue, (at, self._seq, case.index))

    def run(self) -> None:
        """Work through the timeline up to now, then fire what is due now."""
        with reference.request_scope():  # the demo's own writes renew it; nobody else changes the organisation now
            self._run()

    def _run(self) -> None:
        while self.queue:
            at, _, index = heapq.heappop(self.queue)
            if at > self.now:
                continue
            if self._jobs_due(at):
                jobs.run_due_jobs(self.engine, now=at, worker="demo")
            with clock.frozen(at):
                self._step(self.cases[index], at)
        jobs.run_due_jobs(self.engine, now=self.now, worker="demo")

    def _step(self, case: DemoCase, at: dt.datetime) -> None:
        self.steps += 1
        if case.case_ref is None:
            self._start(case, at)
            return
        if at > case.stop_at:
            return
        task = self._next_task(case.case_ref)
        if task is not None:
            self._complete(case, task, at)
            return
        if self._send_message(case):
            self._schedule(case, at + self._delay(1, 5))
            return
        due = self._next_job(case.case_ref)
        if due is not None:
            self._schedule(case, due + dt.timedelta(minutes=5))
        elif "case_status_changed" in self._subscriptions(case.case_ref):
            self._status_event(case, at)

    def _status_event(self, case: DemoCase, at: dt.datetime) -> None:
        """Report a change in the person's situation some weeks later (the case waits in monitoring)."""
        if not case.status_event_due:
            case.status_event_due = True
            self._schedule(case, at + self._delay(30, 90))
            return
        case.status_event_due = False
        event = self.rng.choice(["job_found", "permit_expiring", "moved_within_district", "course_finished"])
        self.engine.correlate("case_status_changed", actor=SYSTEM, payload={"event": event}, case_ref=case.case_ref)
        self._schedule(case, at + self._delay(0, 3))

    def _start(self, case: DemoCase, at: dt.datetime) -> None:
        user = self.by_unit.get(f"kim_cm_{case.plan.person.municipality}")
        instance_id = self.engine.start("kim_case", actor=user.actor() if user else SYSTEM,
                                        data=case.plan.person.start_data(), business_key=f"{DEMO_KEY}{case.index}")
        with self.engine.db.reading() as session:
            row = session.get(ProcessInstance, instance_id)
            assert row is not None, "engine.start committed the instance it returned"
            case.case_ref = row.case_ref
        self._schedule(case, at + self._delay(0, 3))
        self.started += 1
        if self.progress is not None and self.started % max(1, len(self.cases) // 10) == 0:
            self.progress(self.started, len(self.cases), self.steps)

    def _complete(self, case: DemoCase, task: HumanTask, at: dt.datetime) -> None:
        plan = case.plan
        if task.element_id == "close_case":
            _, current = self.engine.task_form(task.id)
            if current.get("closure_reason"):
                plan.extra["closure_reason"] = current["closure_reason"]
        wanted = demo_forms.plan_values(plan, task.element_id, self.rng)
        data = demo_forms.fill(self._form(task), wanted, at.date(), self.rng)
        try:
            self.engine.complete(task.id, actor=self._actor(task), data=data)
        except KimflowError:
            self.form_errors += 1
            return  # leave the case where it is; the demo shows it as stuck
        slow = task.office not in ("kim_cm", None) and self.rng.random() < 0.25
        self._schedule(case, at + (self._delay(10, 30) if slow else self._delay(1, 8)))

    def _send_message(self, case: DemoCase) -> bool:
        """Deliver the outside world's messages: the agency's answer, structural problems, status events."""
        assert case.case_ref is not None, "_step starts a case before it sends the case messages"
        waiting = self._subscriptions(case.case_ref)
        plan = case.plan
        options = [("agency_consent_response", plan.follow_up_outcome == "approved" and self.rng.random() < 0.6,
                    {"agency_consent": "granted"}),
                   ("structural_problem_reported", plan.structural_problem, {"source": "Fallarbeit"}),
                   ("case_status_changed", plan.follow_up == "benefit_transfer" and self.rng.random() < 0.3,
                    {"event": "protection_granted"})]
        for name, wanted, payload in options:
            if wanted and name in waiting and name not in case.messages_sent:
                case.messages_sent.add(name)
                self.engine.correlate(name, actor=SYSTEM, payload=payload, case_ref=case.case_ref)
                return True
        return False

    def _next_task(self, case_ref: str) -> HumanTask | None:
        with self.engine.db.reading() as session:
            return session.scalars(select(HumanTask).where(
                HumanTask.case_ref == case_ref, HumanTask.status.in_(("open", "claimed")))
                # Task ids are random UUIDs: tie-break on stable columns so a seed gives the same demo.
                .order_by(HumanTask.created_at, HumanTask.instance_id, HumanTask.element_id).limit(1)).first()

    def _subscriptions(self, case_ref: str) -> set[str]:
        with self.engine.db.reading() as session:
            return set(session.scalars(select(MessageSubscription.message_name).join(
                ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id).where(
                ProcessInstance.case_ref == case_ref, ProcessInstance.status == "running")))

    def _jobs_due(self, at: dt.datetime) -> bool:
        """Tell whether a job may be due: one indexed read instead of a claiming transaction before every step."""
        with self.engine.db.reading() as session:
            first = session.scalar(select(func.min(Job.due_at)).where(Job.status == "pending"))
        return first is not None and first <= at

    def _next_job(self, case_ref: str) -> dt.datetime | None:
        with self.engine.db.reading() as session:
            due = session.scalar(select(func.min(Job.due_at)).join(
                ProcessInstance, ProcessInstance.id == Job.instance_id).where(
                ProcessInstance.case_ref == case_ref, Job.status == "pending", ProcessInstance.status == "running"))
        return due if due is not None and due <= self.now else None

    def _form(self, task: HumanTask) -> Form | None:
        with self.engine.db.reading() as session:
            version_id = session.scalar(select(ProcessInstance.definition_version_id)
                                        .where(ProcessInstance.id == task.instance_id))
            if version_id is None:
                raise KimflowError(f"Aufgabe {task.id}: der Vorgang {task.instance_id} fehlt")
            key = (version_id, task.element_id)
            if key not in self.forms:
                version = session.get(DefinitionVersion, version_id)
                if version is None:
                    raise KimflowError(f"Aufgabe {task.id}: die Prozessversion {version_id} fehlt")
                loaded = self.engine.library.load(version)
                specs = [loaded.spec, *loaded.subprocess_specs.values()]
                spec = next((s.task_specs[task.element_id] for s in specs if task.element_id in s.task_specs), None)
                self.forms[key] = form_for(spec) if spec is not None else None
        return self.forms[key]

    def _actor(self, task: HumanTask) -> Actor:
        user = self.by_unit.get(task.unit or "") or self.by_office.get(task.office or "")
        return user.actor() if user else SYSTEM

    def _delay(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high), hours=self.rng.randint(0, 8))
