"""The scale-out load over HTTP: clerks start and complete, a specialist system works its external tasks and answers.

Every call goes to one of the app servers in turn. A call whose connection fails (the server was killed) has
no answer: it may or may not have been applied, so the driver retries it in a way that cannot apply it twice
(a start under a fresh business key, a completion of the same task, which then answers 409 if it had been
applied). The ledger keeps what was acknowledged with a 2xx; the test compares it with the database.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from tests.bpmn_builder import build, user

PROCESS = "scale_probe"
TOPIC = "scale.pruefen"
MESSAGE = "scale_antwort"
TRAIL = ["erfassen", "pruefen", "antwort", "frist", "abschliessen"]  # what each instance records, once each
LOCK_MS = 10_000  # a lock granted in an answer that never arrived frees the task again after this
PAUSE = 0.2


def diagram() -> str:
    """User task, external service task, message catch, a 2-second timer, user task; a script after each."""
    elements = [("start", "s"), user("erfassen", "Erfassen", "sozialamt", [("betrag", "long", "Betrag")]),
                ("script", "nach_erfassen", "trail = trail + ['erfassen']"), ("service", "pruefen", TOPIC),
                ("script", "nach_pruefen", "trail = trail + ['pruefen']"), ("msg_catch", "antwort", MESSAGE),
                ("script", "nach_antwort", "trail = trail + ['antwort']"), ("timer_catch", "frist", "PT2S"),
                ("script", "nach_frist", "trail = trail + ['frist']"), user("abschliessen", "Abschließen", "sozialamt"),
                ("script", "nach_abschluss", "trail = trail + ['abschliessen']"), ("end", "e")]
    ids = [e[1] for e in elements]
    return build(PROCESS, elements, list(itertools.pairwise(ids)), name="Skalierungsprobe")


@dataclass
class Ledger:
    """What the app servers acknowledged, and what went unanswered."""

    starts: dict[str, int] = field(default_factory=dict)  # business key -> instance id (201)
    unanswered_starts: list[str] = field(default_factory=list)  # may or may not exist
    completions: list[str] = field(default_factory=list)  # human task ids (200); a repeat would be a double apply
    external: list[str] = field(default_factory=list)  # external task ids whose completion answered 200
    correlations: list[str] = field(default_factory=list)  # business keys whose message answered 200
    finished: set[str] = field(default_factory=set)  # business keys whose last task answered 200
    settled: set[str] = field(default_factory=set)  # ... or 409/404: someone (maybe our unanswered call) did it
    unanswered: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # e.g. 409 for the clerk who lost a race
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acknowledged(self) -> int:
        return len(self.starts) + len(self.completions) + len(self.external) + len(self.correlations)


class Servers:
    """The app servers' base URLs; one that refused a connection is skipped from then on."""

    def __init__(self, urls: list[str]):
        self.urls, self.dead = list(urls), set()
        self.turn = itertools.count()
        self.lock = threading.Lock()

    def pick(self) -> str:
        with self.lock:
            alive = [u for u in self.urls if u not in self.dead] or self.urls
            return alive[next(self.turn) % len(alive)]

    def lost(self, url: str) -> None:
        with self.lock:
            self.dead.add(url)


class Api:
    """One caller (one service-account token, one HTTP session) of the API on whichever server is up."""

    def __init__(self, servers: Servers, token: str, ledger: Ledger):
        self.servers, self.ledger = servers, ledger
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None, kind: str = "") -> requests.Response | None:
        """Send one request; None when no answer came (the connection failed): maybe applied, maybe not."""
        while True:
            base = self.servers.pick()
            with self.ledger.lock:
                self.ledger.requests += 1
            try:
                answer = self.http.request(method, f"{base}/api/v1{path}", json=body, timeout=60)
            except requests.RequestException:
                self.servers.lost(base)
                with self.ledger.lock:
                    self.ledger.unanswered[kind or path] += 1
                return None
            if answer.status_code != 429:  # the per-process rate limit: refused unseen, so simply again
                return answer
            time.sleep(PAUSE)

    def close(self) -> None:
        self.http.close()


class Load:
    """Start `instances` instances and drive each to its end; call `midway` once half of them are started."""

    def __init__(self, servers: list[str], tokens: list[str], instances: int, midway: Callable[[], None]):
        self.ledger = Ledger()
        self.servers = Servers(servers)
        self.tokens, self.instances, self.midway = tokens, instances, midway
        self.numbers = itertools.count(1)
        self.to_start = instances
        self.stop = threading.Event()
        self.errors: list[str] = []

    def run(self, deadline_seconds: float) -> float:
        """Run the clerks and the specialist system until every started instance ended; return the seconds."""
        clerks = self.tokens[:-1]
        threads = [threading.Thread(target=self._guard, args=(self._clerk, t), name=f"clerk-{i}")
                   for i, t in enumerate(clerks)]
        threads += [threading.Thread(target=self._guard, args=(self._specialist, self.tokens[-1], f"fv-{i}"),
                                     name=f"fachverfahren-{i}") for i in range(2)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        killed = False
        try:
            while time.monotonic() - began < deadline_seconds and not self.errors:
                with self.ledger.lock:
                    started, finished = len(self.ledger.starts), len(self.ledger.finished | self.ledger.settled)
                if not killed and started >= self.instances // 2:
                    self.midway()
                    killed = True
                if started == self.instances and finished == started:
                    break
                time.sleep(PAUSE)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=90)
        assert not self.errors, self.errors
        return time.monotonic() - began

    def _guard(self, work: Callable, *args) -> None:
        try:
            work(*args)
        except Exception as err:  # noqa: BLE001 - a driver thread's failure is reported by run(), not lost
            self.errors.append(f"{threading.current_thread().name}: {type(err).__name__}: {err}")
            self.stop.set()

    def _next_key(self) -> str | None:
        with self.ledger.lock:
            if self.to_start == 0:
                return None
            self.to_start -= 1
            return f"SC-{next(self.numbers):05d}"

    def _clerk(self, token: str) -> None:
        api = Api(self.servers, token, self.ledger)
        try:
            while not self.stop.is_set():
                key = self._next_key()
                if key is not None:
                    self._start_and_record(api, key)
                elif not self._finish_some(api):
                    time.sleep(PAUSE)
        finally:
            api.close()

    def _start_and_record(self, api: Api, key: str) -> None:
        answer = api.call("POST", "/process-instances", {"key": PROCESS, "business_key": key,
                                                         "variables": {"municipality": "neuss", "trail": []}}, "start")
        if answer is None:
            with self.ledger.lock:
                self.ledger.unanswered_starts.append(key)
                self.to_start += 1  # another key takes its place; this one is not counted as started
            return
        self._expect(answer, 201, "start")
        with self.ledger.lock:
            self.ledger.starts[key] = answer.json()["id"]
        tasks = self._queue(api, f"&search={key}")
        if tasks is None:
            return  # the task stays open; a later queue read finds it
        for task in tasks:
            if task["business_key"] == key and task["element_id"] == "erfassen":
                self._complete(api, task, {"betrag": int(key[3:])})

    def _queue(self, api: Api, query: str = "") -> list[dict] | None:
        answer = api.call("GET", f"/tasks?view=queue&key={PROCESS}&limit=200{query}", kind="queue")
        if answer is None:
            return None
        self._expect(answer, 200, "queue")
        return answer.json()["items"]

    def _finish_some(self, api: Api) -> bool:
        """Complete the open tasks of the queue (also an `erfassen` whose first completion went unanswered)."""
        tasks = self._queue(api) or []
        for task in tasks:
            if self.stop.is_set():
                break
            if task["business_key"] in self.ledger.starts:
                self._complete(api, task, {"betrag": 1} if task["element_id"] == "erfassen" else {})
        return bool(tasks)

    def _complete(self, api: Api, task: dict, variables: dict) -> None:
        for _ in range(5):
            answer = api.call("POST", f"/tasks/{task['id']}/complete", {"variables": variables}, "complete")
            if answer is None:
                continue  # the same task again: applied before, it now answers 409
            if answer.status_code == 200:
                with self.ledger.lock:
                    self.ledger.completions.append(task["id"])
                    if task["element_id"] == "abschliessen":
                        self.ledger.finished.add(task["business_key"])
                return
            if answer.status_code in (404, 409):  # another clerk was quicker, or our unanswered call was applied
                with self.ledger.lock:
                    self.ledger.refused[f"complete {answer.status_code}"] += 1
                    if task["element_id"] == "abschliessen":
                        self.ledger.settled.add(task["business_key"])
                return
            self._expect(answer, 200, "complete")

    def _specialist(self, token: str, worker: str) -> None:
        api = Api(self.servers, token, self.ledger)
        try:
            while not self.stop.is_set():
                answer = api.call("POST", "/external-tasks/fetch-and-lock", {
                    "worker_id": worker, "topics": [TOPIC], "max_tasks": 5, "lock_duration": LOCK_MS}, "fetch")
                if answer is None:
                    continue
                self._expect(answer, 200, "fetch-and-lock")
                items = answer.json()["items"]
                for item in items:
                    if self._complete_external(api, item, worker):
                        self._answer(api, item["business_key"])
                if not items:
                    time.sleep(PAUSE)
        finally:
            api.close()

    def _complete_external(self, api: Api, item: dict, worker: str) -> bool:
        unanswered = False
        for _ in range(5):
            answer = api.call("POST", f"/external-tasks/{item['id']}/complete",
                              {"worker_id": worker, "variables": {"geprueft": True}}, "external")
            if answer is None:
                unanswered = True
                continue
            if answer.status_code == 200:
                with self.ledger.lock:
                    self.ledger.external.append(item["id"])
                return True
            if answer.status_code == 409 and unanswered:
                return True  # our unanswered call was applied: the instance waits for the answer now
            self._expect(answer, 200, "external complete")
        return False

    def _answer(self, api: Api, key: str) -> None:
        unanswered = False
        for _ in range(5):
            answer = api.call("POST", "/messages", {"name": MESSAGE, "business_key": key,
                                                    "payload": {"bescheid": "ok"}}, "message")
            if answer is None:
                unanswered = True
                continue
            if answer.status_code == 200 and answer.json()["instance_ids"]:
                with self.ledger.lock:
                    self.ledger.correlations.append(key)
                return
            if answer.status_code == 404 and unanswered:
                return  # delivered by the call that went unanswered: nobody waits any more
            self._expect(answer, 200, "message")

    def _expect(self, answer: requests.Response, status: int, what: str) -> None:
        if answer.status_code != status:
            raise AssertionError(f"{what}: {answer.status_code} {answer.text[:300]}")
