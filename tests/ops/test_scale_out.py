"""Scale-out proof: two app servers and two workers on one PostgreSQL database lose nothing acknowledged.

Two hosts, each with an app server (`kimflow serve`: gunicorn, two worker processes) and a `kimflow worker`.
The hosts are network namespaces joined by veth pairs when `ip netns` works (root; CI runs as root), so the
load reaches each app server over its own link and each host reaches PostgreSQL through its Unix socket;
otherwise they are processes on the loopback interface (the test prints which). Clerks (one service-account
token each) start instances and complete tasks, a specialist system fetches, locks and completes the external
tasks and answers each by message, the workers fire the timers. Once half of the instances are started, host 0
loses its app server and its worker to SIGKILL. Afterwards the database must show every acknowledged start,
every acknowledged completion applied exactly once, each timer fired once and each external task done once.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, text

from engine import ProcessEngine, service_accounts
from engine.store.db import Database
from tests.ops import scale_cluster, scale_load
from workflows.seed import seed_units

SERVER = os.environ.get("KIMFLOW_TEST_DATABASE_URL", "")
INSTANCES = int(os.environ.get("KIMFLOW_SCALE_INSTANCES") or 40)
CLERKS = 4
DEADLINE_SECONDS = 150.0

pytestmark = [
    pytest.mark.skipif(not SERVER.startswith("postgresql"),
                       reason="scale-out needs PostgreSQL: SQLite is one file on one machine, not shared by hosts"),
    pytest.mark.timeout(290),
]


def _tokens(url: str, count: int) -> list[str]:
    """Seed the units and make one service account (and token) per caller."""
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            seed_units(session)
            tokens = []
            for i in range(count):
                account = service_accounts.create_account(session, f"scale-{i}", units=["sozialamt_neuss"],
                                                          verbs=["start", "tasks", "messages", "external", "read"],
                                                          actor="test")
                tokens.append(service_accounts.issue_token(session, account.id, actor="test", days=1))
        return tokens
    finally:
        database.engine.dispose()


def _rows(url: str, sql: str) -> list:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


@pytest.fixture
def cluster(tmp_path):
    with scale_cluster.Cluster(tmp_path, SERVER) as rig:
        yield rig


def test_killing_an_app_server_and_a_worker_mid_load_loses_and_doubles_nothing_acknowledged(cluster, tmp_path):
    cluster.create_database()
    cluster.kimflow("init-db")
    (tmp_path / f"{scale_load.PROCESS}.bpmn").write_text(scale_load.diagram(), encoding="utf-8")
    cluster.kimflow("deploy", str(tmp_path / f"{scale_load.PROCESS}.bpmn"))
    tokens = _tokens(cluster.tcp_url(), CLERKS + 1)
    hosts = cluster.make_hosts(2)
    servers = [cluster.serve(host) for host in hosts]
    workers = [cluster.work(host) for host in hosts]

    def crash_host_0() -> None:
        cluster.kill(servers[0])
        cluster.kill(workers[0])

    load = scale_load.Load([s.url for s in servers], tokens, INSTANCES, midway=crash_host_0)
    seconds = load.run(DEADLINE_SECONDS)
    ledger = load.ledger
    assert not servers[0].alive and not workers[0].alive
    assert servers[1].alive and workers[1].alive, cluster.log_tail(servers[1]) + cluster.log_tail(workers[1])
    print(f"\nscale-out ({cluster.mode}): {len(ledger.starts)} instances, {ledger.acknowledged()} acknowledged "
          f"operations and {ledger.requests} requests in {seconds:.1f} s = {ledger.acknowledged() / seconds:.1f} "
          f"operations/s, {ledger.requests / seconds:.1f} requests/s; unanswered {dict(ledger.unanswered)}, "
          f"refused {dict(ledger.refused)}, unanswered starts {len(ledger.unanswered_starts)}")

    url = cluster.tcp_url()
    instances = {bk: (iid, status, fired) for iid, bk, status, fired in _rows(url, (
        "SELECT i.id, i.business_key, i.status, "
        "(SELECT count(*) FROM audit_event a WHERE a.instance_id = i.id AND a.action = 'timer_fired') "
        f"FROM process_instance i WHERE i.process_id = '{scale_load.PROCESS}'"))}
    # No acknowledged start is lost, and every one of them ran to its end.
    assert len(ledger.starts) == INSTANCES
    for key, instance_id in ledger.starts.items():
        assert instances[key][0] == instance_id
    assert {k for k, (_, status, _) in instances.items() if k in ledger.starts and status != "completed"} == set()
    # Each timer fired once (one audit line, one done job per instance, none pending or failed).
    assert {k: fired for k, (_, _, fired) in instances.items() if k in ledger.starts and fired != 1} == {}
    jobs = Counter((iid, status) for iid, status in _rows(url, "SELECT instance_id, status FROM job"))
    assert {status for _, status in jobs} == {"done"}
    assert all(count == 1 for count in jobs.values())
    _assert_each_step_applied_once(url, ledger)
    _assert_the_survivor_reports_for_all_its_workers(servers[1].url)


def _assert_the_survivor_reports_for_all_its_workers(base: str) -> None:
    # Each scrape on a fresh connection (any gunicorn worker may answer) counts the scrapes before it.
    scrapes = [requests.get(f"{base}/metrics", headers={"Connection": "close"}, timeout=30).text for _ in range(6)]
    assert 'kimflow_request_seconds_count{method="GET",route="/metrics",status="200"} 5.0' in scrapes[-1]
    assert f'topic="{scale_load.TOPIC}"' not in scrapes[-1]  # no external task open or locked any more
    assert "kimflow_jobs_pending 0.0" in scrapes[-1] and "kimflow_incidents_open 0.0" in scrapes[-1]


def _assert_each_step_applied_once(url: str, ledger: scale_load.Ledger) -> None:
    # Every acknowledged completion was applied, none twice: one completion per task in the audit log, and
    # no task acknowledged twice.
    assert len(ledger.completions) == len(set(ledger.completions))
    completed = Counter(task for (task,) in _rows(url, "SELECT task_id FROM audit_event "
                                                       "WHERE action = 'task_completed'"))
    assert {t: n for t, n in completed.items() if n != 1} == {}
    assert set(ledger.completions) <= set(completed)
    statuses = dict(_rows(url, "SELECT id, status FROM human_task"))
    assert {statuses[t] for t in ledger.completions} == {"completed"}
    # Each external task was completed once; each acknowledged one is done.
    external = _rows(url, "SELECT id, instance_id, status FROM external_task")
    assert len(ledger.external) == len(set(ledger.external))
    assert set(ledger.external) <= {task for task, _, status in external if status == "done"}
    per_instance = Counter(instance for _, instance, status in external if status == "done")
    assert {i: per_instance[i] for i in ledger.starts.values() if per_instance[i] != 1} == {}
    # Each message was answered once; each instance's own record of its steps has each step once, in order.
    assert len(ledger.correlations) == len(set(ledger.correlations))
    assert _trails(url, list(ledger.starts.values())) == {i: scale_load.TRAIL for i in ledger.starts.values()}
    assert _rows(url, "SELECT count(*) FROM incident")[0][0] == 0


def _trails(url: str, instance_ids: list[int]) -> dict[int, list[str]]:
    """Return each instance's own record of its steps (a script appends one entry after each)."""
    database = Database(url)
    try:
        engine = ProcessEngine(database)
        return {i: engine.show(i).data["trail"] for i in instance_ids}
    finally:
        database.engine.dispose()
