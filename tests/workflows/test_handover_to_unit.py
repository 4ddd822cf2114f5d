"""A task handed to another unit of its office is offered to that unit's team leads, not the old unit's."""

import pytest

from engine import PermissionDenied
from engine.core.actors import Actor
from engine.identity import org
from tests.workflows.conftest import task
from tests.workflows.test_team_lead_routing import _escalate, _staff


def test_an_escalation_handed_to_another_abh_unit_goes_to_its_team_lead(kim):
    with kim.db.unit_of_work() as session:
        _staff(session, "krause", "abh_kreis", lead=True)
        _staff(session, "nowak", "abh_neuss", lead=True)
    case_ref = _escalate(kim, "kaarst")
    escalation = task(kim, case_ref, "escalate_abh")
    with kim.db.reading() as session:
        krause = org.actor_for(session, "krause")
    kim.delegate_to_unit(escalation.id, actor=krause, unit="abh_neuss", office="abh", reason="Zuständig ist Neuss")
    moved = task(kim, case_ref, "escalate_abh")
    assert (moved.unit, moved.candidate_users, moved.status) == ("abh_neuss", ["nowak"], "open")
    assert kim.delegation_reason(escalation.id)["reason"] == "Zuständig ist Neuss"


def test_a_unit_of_another_office_is_refused_by_the_engine(kim):
    case_ref = _escalate(kim, "kaarst")
    escalation = task(kim, case_ref, "escalate_abh")
    with pytest.raises(PermissionDenied, match="derselben Behörde"):
        kim.delegate_to_unit(escalation.id, actor=Actor.system_actor(), unit="jobcenter_rkn", office="jobcenter")
    assert task(kim, case_ref, "escalate_abh").unit == "abh_kreis"
