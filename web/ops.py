"""Operations endpoints and instrumentation: /healthz, /readyz, /metrics, request timing, access log.

Metrics use prometheus-client; under gunicorn (PROMETHEUS_MULTIPROC_DIR set before the workers start)
each worker writes its samples to that folder and /metrics merges them, so any worker answers for all.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import audit, clock, health
from web.security import public, services

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("kimflow.access")
LATENCY_BUCKETS = (0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@bp.get("/healthz")
@public
def healthz():
    """Answer 200 while the process runs (liveness)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """Answer 200 when the database answers, the schema is at head and a worker beat recently, else 503."""
    max_age = current_app.config["READY_WORKER_SECONDS"]
    verdict = health.readiness(services().db, now=clock.now(),
                               extra_migrations=services().engine.extensions.migrations,
                               max_heartbeat_age=dt.timedelta(seconds=max_age) if max_age else None)
    return jsonify(ready=verdict.ready, checks=verdict.checks), 200 if verdict.ready else 503


@bp.get("/metrics")
@public
def metrics():
    """Return the Prometheus metrics of every worker process plus the figures read from the database."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

    token = current_app.config["METRICS_TOKEN"]
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token and not hmac.compare_digest(offered.encode(), token.encode()):
        return Response("Nicht berechtigt\n", status=401, mimetype="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = current_app.extensions["kimflow_metrics"]["registry"]
    body = generate_latest(registry) + generate_latest(_database_registry())
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _database_registry():
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseCollector())
    return registry


class _DatabaseCollector:
    """Read the operational figures from the database at scrape time (so every worker sees the same)."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        now = clock.now()
        with services().db.reading() as session:
            figures = health.figures(session, now)
            integration = health.integration_figures(session, now)
        open_tasks = GaugeMetricFamily("kimflow_open_tasks", "Offene Aufgaben je Amt, Stelle und Status",
                                       labels=["office", "unit", "status"])
        for (office, unit, status), count in sorted(figures.open_tasks.items()):
            open_tasks.add_metric([office, unit, status], count)
        yield open_tasks
        yield GaugeMetricFamily("kimflow_overdue_tasks", "Überfällige offene Aufgaben", value=figures.overdue_tasks)
        yield GaugeMetricFamily("kimflow_job_lag_seconds", "Verspätung des ältesten fälligen Jobs",
                                value=figures.job_lag_seconds)
        yield GaugeMetricFamily("kimflow_jobs_pending", "Wartende Jobs", value=figures.jobs_pending)
        yield GaugeMetricFamily("kimflow_jobs_failed", "Endgültig fehlgeschlagene Jobs", value=figures.jobs_failed)
        yield GaugeMetricFamily("kimflow_incidents_open", "Offene Störungen", value=figures.incidents_open)
        with services().db.reading() as session:  # a count only: who it is, the privacy page shows admins
            bursts = len(audit.refusal_bursts(session))
        yield GaugeMetricFamily("kimflow_refusal_alerts", "Benutzer mit gehäuft abgewiesenen Zugriffen (10 Minuten)",
                                value=bursts)
        yield from _integration_metrics(integration)


def _integration_metrics(figures: Any):
    """Yield the external-task locks per topic and the hook deliveries as gauges."""
    from prometheus_client.core import GaugeMetricFamily

    external = GaugeMetricFamily("kimflow_external_tasks", "Externe Aufgaben je Thema und Zustand "
                                 "(open, locked, lock_expired, failed)", labels=["topic", "state"])
    for (topic, state), count in sorted(figures.external_tasks.items()):
        external.add_metric([topic, state], count)
    yield external
    hooks = GaugeMetricFamily("kimflow_hook_deliveries", "Ereignisse an Abonnenten je Zustand "
                              "(pending, delivered, failed: aufgegeben)", labels=["status"])
    for status, count in figures.hook_events.items():
        hooks.add_metric([status], count)
    yield hooks
    yield GaugeMetricFamily("kimflow_hook_attempts_failed", "Fehlgeschlagene Zustellversuche",
                            value=figures.hook_attempts_failed)
    yield GaugeMetricFamily("kimflow_hook_lag_seconds", "Verspätung des ältesten fälligen Ereignisses",
                            value=figures.hook_lag_seconds)


def init_app(app: Flask) -> None:
    """Register the endpoints, time every request per route and trust proxies only when configured."""
    from prometheus_client import CollectorRegistry, Histogram

    app.config.setdefault("READY_WORKER_SECONDS", int(os.environ.get("KIMFLOW_READY_WORKER_SECONDS") or 120))
    app.config.setdefault("METRICS_TOKEN", os.environ.get("KIMFLOW_METRICS_TOKEN") or "")
    app.config.setdefault("TRUSTED_PROXIES", int(os.environ.get("KIMFLOW_TRUSTED_PROXIES") or 0))
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies and not app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    registry = CollectorRegistry()
    latency = Histogram("kimflow_request_seconds", "Serverzeit je Route", ["route", "method", "status"],
                        buckets=LATENCY_BUCKETS, registry=registry)
    app.extensions["kimflow_metrics"] = {"registry": registry, "latency": latency}
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_observe)


def _start_timer() -> None:
    g.kimflow_started = time.perf_counter()


def _observe(response: Any):
    started = g.get("kimflow_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    current_app.extensions["kimflow_metrics"]["latency"].labels(route, request.method, response.status_code) \
        .observe(seconds)
    access_log.info("request", extra={"fields": {"route": route, "method": request.method,
                                                 "status": response.status_code, "ms": round(seconds * 1000, 2)}})
    return response
