"""Instance variables over the API follow need-to-know: the `manage` verb shows an instance, not its data."""

from __future__ import annotations

import datetime as dt

from tests.api.conftest import SYSTEM
from tests.engine.test_external_tasks import external_process
from workflows.cases import files as cases


def test_a_monitoring_account_sees_the_instance_but_not_the_data_of_a_case_it_may_not_open(client, services,
                                                                                            token_for):
    services.engine.deploy({"ext.bpmn": external_process()}, actor=SYSTEM)
    with services.db.unit_of_work() as session:
        neuss = cases.open_case(session, actor="test", area="neuss", given_name="Amina", family_name="Haddad",
                                birth_date=dt.date(1991, 4, 12)).case_ref
    instance_id = services.engine.start("ext", actor=SYSTEM, case_ref=neuss, data={"nachname": "Haddad"})
    monitor_kaarst = token_for("leitstand-kaarst", ("kim_cm_kaarst",), ["read", "manage"])
    case_management_neuss = token_for("kim-neuss", ("kim_cm_neuss",), ["read", "manage"])
    url = f"/api/v1/process-instances/{instance_id}"
    seen = client.get(url, headers=monitor_kaarst)
    assert seen.status_code == 200 and seen.get_json()["id"] == instance_id
    assert "variables" not in seen.get_json() and "Haddad" not in seen.get_data(as_text=True)
    shown = client.get(url, headers=case_management_neuss)
    assert shown.get_json()["variables"]["nachname"] == "Haddad"
