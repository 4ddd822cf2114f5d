"""gunicorn settings for kimflow (`kimflow serve`, or `gunicorn -c web/gunicorn_conf.py 'web.wsgi:app'`).

Every setting can be changed through the KIMFLOW_* variables documented in docs/OPERATIONS.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("KIMFLOW_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("KIMFLOW_WEB_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, 8))
threads = int(os.environ.get("KIMFLOW_WEB_THREADS") or 2)
timeout = int(os.environ.get("KIMFLOW_WEB_TIMEOUT") or 60)
graceful_timeout = 20
keepalive = 5
preload_app = True  # build the app once in the master: workers start in milliseconds
max_requests = 5000  # recycle workers now and then so slow leaks never add up
max_requests_jitter = 500
accesslog = None  # the app writes its own JSON access log with request ids (web/ops.py)
# Only proxies named here may set X-Forwarded-Proto for gunicorn itself; the app has its own ProxyFix.
forwarded_allow_ips = os.environ.get("KIMFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = os.environ.get("KIMFLOW_WORKER_TMP_DIR") or None  # /dev/shm on a read-only root

# Metrics of several workers meet in one folder; it must exist before the workers import prometheus-client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kimflow-metrics-")


def on_starting(server) -> None:
    """Start from an empty metrics folder and write JSON logs."""
    from web import logging_setup

    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    logging_setup.configure(os.environ.get("KIMFLOW_LOG_LEVEL", "INFO"))


def post_fork(server, worker) -> None:
    """Give each worker the JSON log format and database connections of its own."""
    from web import logging_setup

    logging_setup.configure(os.environ.get("KIMFLOW_LOG_LEVEL", "INFO"))
    app = getattr(server.app, "callable", None)
    if app is not None:  # preloaded: connections opened by the master must not be shared across forks
        app.extensions["kimflow"].db.engine.dispose(close=False)


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges from the merged metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


# gunicorn's own lines (start, worker exits) in the same JSON format as the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "web.logging_setup.JsonFormatter"}},
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["json"], "level": os.environ.get("KIMFLOW_LOG_LEVEL", "INFO")},
    "loggers": {"gunicorn.error": {"handlers": ["json"], "level": "INFO", "propagate": False},
                "gunicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False}},
}
