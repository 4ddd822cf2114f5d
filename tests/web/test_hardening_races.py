"""Races end in words: of clerks completing or claiming one task at once, one wins and the others are told who."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine.store.models import AuditEvent, HumanTask
from tests.web.scenario import fill

CLERKS = 6


def _clerks(make_user, login) -> list:
    names = [make_user(f"s.team{i}", units=("sozialamt_neuss",), display_name=f"Team Mitglied {i}")
             for i in range(CLERKS)]
    return [(name, login(name)) for name in names]


def _at_once(clients: list, request) -> list:
    """Send `request(client)` from every client at the same moment; return the responses in client order."""
    barrier = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def one(index: int, client) -> None:
        barrier.wait()
        try:
            answers[index] = request(client)
        except Exception as err:  # noqa: BLE001 - an unhandled error is the failure this test looks for
            answers[index] = err

    threads = [threading.Thread(target=one, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_of_clerks_completing_one_task_at_once_one_wins_and_the_others_are_told_by_whom(scene, services,
                                                                                        make_user, login):
    clerks = _clerks(make_user, login)
    form, _data = services.engine.task_form(scene.sozialamt_task)
    data = {**fill(form), "aktion": "erledigen"}
    answers = _at_once([c for _n, c in clerks], lambda c: c.post(f"/aufgabe/{scene.sozialamt_task}", data=data))
    assert not [a for a in answers if isinstance(a, Exception)], answers
    codes = sorted(a.status_code for a in answers)
    assert codes == [302] + [409] * (CLERKS - 1), codes
    task = services.engine.task(scene.sozialamt_task)
    assert task.status == "completed" and task.completed_by in {n for n, _c in clerks}
    winner_name = f"Team Mitglied {task.completed_by.removeprefix('s.team')} ({task.completed_by})"
    for answer in answers:
        if answer.status_code == 409:
            assert f"bereits von {winner_name} am" in answer.get_data(as_text=True)
    with services.db.reading() as session:  # the process moved on once
        follow_ups = session.scalar(select(func.count()).select_from(HumanTask)
                                    .where(HumanTask.instance_id == scene.instance_id,
                                           HumanTask.element_id == "decide_application"))
        completions = session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.task_id == scene.sozialamt_task,
                                            AuditEvent.action == "task_completed"))
    assert follow_ups == 1 and completions == 1


def test_of_clerks_claiming_one_task_at_once_exactly_one_holds_it_and_the_others_are_told_who(scene, services,
                                                                                              make_user, login):
    clerks = _clerks(make_user, login)
    answers = _at_once([c for _n, c in clerks], lambda c: c.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen"))
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert {a.status_code for a in answers} == {302}
    holder = services.engine.task(scene.sozialamt_task).claimed_by
    told = {name: client.get("/aufgaben/gruppe").get_data(as_text=True) for name, client in clerks}
    winners = [name for name, page in told.items() if "Die Aufgabe liegt jetzt in Ihren Aufgaben." in page]
    assert winners == [holder]
    for name, page in told.items():
        if name != holder:
            assert f"Diese Aufgabe wird bereits von {holder} bearbeitet" in page, name
    with services.db.reading() as session:
        claims = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.task_id == scene.sozialamt_task,
                                       AuditEvent.action == "task_claimed"))
    assert claims == 1
