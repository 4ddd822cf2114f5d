"""Many need-to-know refusals (404) of one user in a short time raise an alert: a badge on the administration's
tabs, the user on the privacy page and a Prometheus gauge; the refusals are audited without personal data."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from engine.core import clock
from engine.store.models import AuditEvent
from workflows.cases.files import open_case

PROBES = 20  # the alert's threshold within ten minutes


def probe_foreign_cases(services, login, make_user) -> str:
    """A clerk opens a case of someone else's office and then guesses 19 more case numbers; return that case."""
    with services.db.unit_of_work() as session:
        ref = open_case(session, actor="cm", area="neuss", given_name="Amal", family_name="Haddad").case_ref
    clerk = login(make_user("soz.kaarst"))
    for url in [f"/fall/{ref}", *(f"/fall/K-2026-{9000 + n}" for n in range(PROBES - 1))]:
        assert clerk.get(url).status_code == 404
    return ref


def gauge(app) -> float:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return float(re.search(r"^kimflow_refusal_alerts (\S+)$", text, re.M).group(1))


def test_a_burst_of_refusals_shows_a_badge_on_every_administration_tab(app, services, login, make_user):
    admin = login(make_user("root", "admin"))
    assert 'id="refusal-alerts"' not in admin.get("/verwaltung/benutzer").get_data(as_text=True)
    probe_foreign_cases(services, login, make_user)
    for url in ("/verwaltung/benutzer", "/verwaltung/stellen", "/verwaltung/datenschutz"):
        page = admin.get(url).get_data(as_text=True)
        assert re.search(r'id="refusal-alerts"[^>]*>1<', page), url
    assert "soz.kaarst" in admin.get("/verwaltung/datenschutz").get_data(as_text=True)


def test_a_burst_of_refusals_raises_the_metric_and_it_falls_once_the_burst_is_old(app, services, login, make_user):
    assert gauge(app) == 0
    probe_foreign_cases(services, login, make_user)
    assert gauge(app) == 1
    with clock.frozen(clock.now() + dt.timedelta(hours=1)):
        assert gauge(app) == 0


def test_fewer_refusals_raise_no_alert(app, services, login, make_user):
    clerk = login(make_user("soz.kaarst"))
    for number in range(PROBES - 1):
        clerk.get(f"/fall/K-2026-{9000 + number}")
    assert gauge(app) == 0


def test_the_refusals_are_audited_with_ids_and_codes_only(app, services, login, make_user):
    ref = probe_foreign_cases(services, login, make_user)
    with services.db.reading() as session:
        refused = list(session.scalars(select(AuditEvent).where(AuditEvent.actor == "soz.kaarst",
                                                                AuditEvent.action.like("%denied"))))
    assert len(refused) == PROBES and ref in {e.case_ref for e in refused}
    assert not any(n in json.dumps(e.details) for e in refused for n in ("Amal", "Haddad"))
