"""A real OpenID provider (the npm package oidc-provider) for the single sign-on tests, started per test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_ID = "kimflow"
CLIENT_SECRET = "kimflow-test-secret-kimflow-test-secret"  # the same in provider.js


def ensure_installed() -> None:
    """Install the provider's packages once (npm ci); skip without Node.js outside CI, fail in CI."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            pytest.fail("node/npm fehlen: die SSO-Browsertests brauchen Node.js (apt-get install nodejs npm)")
        pytest.skip("node/npm fehlen (apt-get install nodejs npm); in CI laufen diese Tests immer")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                       capture_output=True, timeout=240)


def free_port() -> int:
    """Return a port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_provider(port: int, redirect_uri: str, post_logout_uri: str) -> Iterator[str]:
    """Run provider.js on the port until the block ends; yield its issuer URL."""
    process = subprocess.Popen(["node", "provider.js", str(port), redirect_uri, post_logout_uri], cwd=HERE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "ready <issuer>" once it listens (or "" when it died)
        if not line.startswith("ready "):
            raise RuntimeError(f"oidc-provider did not start (exit {process.poll()})")
        yield line.split()[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
