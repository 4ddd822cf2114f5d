"""The scale-out rig: a fresh PostgreSQL database, and app servers and workers as processes on separate "hosts".

A host is a network namespace joined to this one by a veth pair when `ip netns` works here (as root), so the
load reaches each app server over its own link as it would reach another machine; the processes in it reach
PostgreSQL through its Unix socket, the one way into the database server that needs no change to its
configuration (it listens on 127.0.0.1 only). Without `ip netns` (not root, no `ip`, no Unix socket) every host
is a set of processes on the loopback interface (KIMFLOW_SCALE_LOOPBACK=1 asks for that). Every process runs
in a session of its own, so killing a host's app server kills gunicorn's master and its workers together, as a
crash of that machine would.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
SOCKET_DIRS = ("/var/run/postgresql", "/run/postgresql", "/tmp")
START_SECONDS = 90.0


@dataclass
class Host:
    """One simulated machine: its address for HTTP and, with namespaces, the namespace its processes run in."""

    name: str
    address: str
    namespace: str | None = None
    link: str | None = None  # the veth end in this namespace (deleting it deletes the pair)

    def wrap(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, *argv] if self.namespace else argv


@dataclass
class Process:
    """A started process, its host and its log file."""

    name: str
    host: Host
    popen: subprocess.Popen
    log: IO[bytes]
    url: str | None = None

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Cluster:
    """Create hosts, a database and processes; `close` removes every one of them, also after a failure."""

    workdir: Path
    server_url: str  # the PostgreSQL server the tests use (KIMFLOW_TEST_DATABASE_URL)
    hosts: list[Host] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    database: str = ""
    mode: str = "loopback"

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- database -----------------------------------------------------------------------------------------
    def create_database(self) -> None:
        self.database = f"kimflow_scale_{uuid.uuid4().hex[:10]}"
        with self._admin() as admin, admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))

    def tcp_url(self) -> str:
        """The database over TCP, for this test process."""
        return self.server_url.rsplit("/", 1)[0] + "/" + self.database

    def process_url(self) -> str:
        """The database as the processes on the hosts reach it (the Unix socket from inside a namespace)."""
        if self.mode != "netns":
            return self.tcp_url()
        user = self.server_url.split("://", 1)[1].split("@", 1)[0] if "@" in self.server_url else "postgres"
        return f"postgresql://{user}@/{self.database}?host={_socket_dir(self.server_url)}"

    def _admin(self):
        from contextlib import contextmanager

        @contextmanager
        def admin():
            engine = create_engine(self.server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                                   isolation_level="AUTOCOMMIT")
            try:
                yield engine
            finally:
                engine.dispose()

        return admin()

    # --- hosts --------------------------------------------------------------------------------------------
    def make_hosts(self, count: int) -> list[Host]:
        """Make `count` hosts: network namespaces if possible, else loopback (self.mode says which)."""
        if _can_use_namespaces(self.server_url) and not os.environ.get("KIMFLOW_SCALE_LOOPBACK"):
            try:
                self.hosts = [self._namespace_host(i) for i in range(count)]
                self.mode = "netns"
                return self.hosts
            except subprocess.CalledProcessError:
                self._remove_hosts()
        self.hosts = [Host(f"host-{i}", "127.0.0.1") for i in range(count)]
        self.mode = "loopback"
        return self.hosts

    def _namespace_host(self, index: int) -> Host:
        tag = f"kf{os.getpid() % 100000}{index}"
        subnet = _free_subnet()
        host = Host(f"host-{index}", f"{subnet}.2", namespace=f"{tag}ns", link=f"{tag}h")
        self.hosts.append(host)  # registered before it exists, so a half-made host is still removed
        for argv in (["ip", "netns", "add", host.namespace],
                     ["ip", "link", "add", host.link, "type", "veth", "peer", "name", f"{tag}n"],
                     ["ip", "link", "set", f"{tag}n", "netns", host.namespace],
                     ["ip", "addr", "add", f"{subnet}.1/30", "dev", host.link],
                     ["ip", "link", "set", host.link, "up"],
                     host.wrap(["ip", "addr", "add", f"{subnet}.2/30", "dev", f"{tag}n"]),
                     host.wrap(["ip", "link", "set", f"{tag}n", "up"]),
                     host.wrap(["ip", "link", "set", "lo", "up"])):
            subprocess.run(argv, check=True, capture_output=True, timeout=20)
        return host

    def _remove_hosts(self) -> None:
        for host in self.hosts:
            if host.link:
                subprocess.run(["ip", "link", "del", host.link], capture_output=True, timeout=20, check=False)
            if host.namespace:
                subprocess.run(["ip", "netns", "del", host.namespace], capture_output=True, timeout=20, check=False)
        self.hosts = []

    # --- processes ----------------------------------------------------------------------------------------
    def kimflow(self, *args: str, timeout: float = 120) -> str:
        """Run one `kimflow` command against the database (in this namespace) and return its output."""
        done = subprocess.run([*_kimflow(), "--db", self.tcp_url(), *args], cwd=REPO, env=_environment(),
                              capture_output=True, text=True, timeout=timeout, check=False)
        assert done.returncode == 0, f"kimflow {' '.join(args)} failed: {done.stdout}\n{done.stderr}"
        return done.stdout

    def serve(self, host: Host, *, workers: int = 2) -> Process:
        """Start `kimflow serve` (gunicorn) on the host and wait until it answers /healthz."""
        port = 8000 if host.namespace else _free_port()
        metrics = self.workdir / f"metrics-{host.name}"
        metrics.mkdir()
        env = _environment(KIMFLOW_WEB_THREADS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics))
        process = self._spawn(f"app-{host.name}", host, ["--db", self.process_url(), "serve", "--host",
                                                          host.address, "--port", str(port),
                                                          "--workers", str(workers)], env)
        process.url = f"http://{host.address}:{port}"
        self._wait_healthy(process)
        return process

    def work(self, host: Host) -> Process:
        """Start `kimflow worker` on the host."""
        return self._spawn(f"worker-{host.name}", host, ["--db", self.process_url(), "worker"], _environment())

    def _spawn(self, name: str, host: Host, args: list[str], env: dict[str, str]) -> Process:
        log = (self.workdir / f"{name}.log").open("wb")
        try:
            popen = subprocess.Popen(host.wrap([*_kimflow(), *args]), cwd=REPO, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        except BaseException:
            log.close()
            raise
        process = Process(name, host, popen, log)
        self.processes.append(process)
        return process

    def _wait_healthy(self, process: Process) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert process.alive, f"{process.name} ended at start:\n{self.log_tail(process)}"
            try:
                if requests.get(f"{process.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{process.name} did not answer /healthz in {START_SECONDS:.0f} s:\n"
                             f"{self.log_tail(process)}")

    def kill(self, process: Process) -> None:
        """SIGKILL the process and everything it started (gunicorn's workers), as a crash would."""
        _signal_group(process.popen, signal.SIGKILL)
        process.popen.wait(timeout=30)

    def log_tail(self, process: Process, lines: int = 30) -> str:
        process.log.flush()
        text_ = (self.workdir / f"{process.name}.log").read_text(errors="replace")
        return "\n".join(text_.splitlines()[-lines:])

    # --- cleanup ------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every process (TERM, then KILL), remove the hosts and drop the database."""
        for process in self.processes:
            if process.alive:
                _signal_group(process.popen, signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(process.popen, signal.SIGKILL)
                process.popen.wait(timeout=15)
            _signal_group(process.popen, signal.SIGKILL)  # a worker gunicorn left behind, should there be one
            process.log.close()
        self.processes = []
        self._remove_hosts()
        if self.database:
            with self._admin() as admin, admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            self.database = ""


def _signal_group(popen: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(popen.pid, signum)  # the process leads its own session, so its group id is its pid
    except ProcessLookupError:
        pass


def _kimflow() -> list[str]:
    script = Path(sys.executable).with_name("kimflow")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from web.cli import main; main()"]


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIMFLOW_", "PROMETHEUS_"))}
    return env | {"KIMFLOW_SECRET_KEY": _SECRET, "KIMFLOW_LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore"} | extra


_SECRET = secrets.token_hex(32)


def _socket_dir(server_url: str) -> str | None:
    port = server_url.rsplit(":", 1)[-1].split("/", 1)[0] if server_url.count(":") >= 2 else "5432"
    return next((d for d in SOCKET_DIRS if Path(d, f".s.PGSQL.{port}").exists()), None)


def _can_use_namespaces(server_url: str) -> bool:
    return (os.geteuid() == 0 and shutil.which("ip") is not None and _socket_dir(server_url) is not None
            and "@" in server_url and ":" not in server_url.split("://", 1)[1].split("@", 1)[0])


def _free_subnet() -> str:
    """Return the first three octets of a 10.231.x.0/24 that no interface here uses yet (its .0/30 is the link)."""
    used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20,
                          check=False).stdout
    for third in range(os.getpid() % 250, os.getpid() % 250 + 250):
        if f"10.231.{third % 250}." not in used:
            return f"10.231.{third % 250}"
    raise subprocess.CalledProcessError(1, "ip addr", "no free 10.231.x.0/24 left")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
