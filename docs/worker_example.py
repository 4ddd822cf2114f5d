"""A minimal external-task worker for kimflow (standard library only).

Run it beside a specialist system:

    KIMFLOW_URL=https://kimflow.example/api/v1 KIMFLOW_TOKEN=kf_... python docs/worker_example.py

It fetches tasks of its topic, does the work (here: a stand-in check) and completes them; a failing check is
reported with retries, and a case the specialist system is not responsible for becomes a BPMN error.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable
from typing import Any

TOPIC = "auslaenderbehoerde.pruefen"


class NotResponsible(Exception):
    """The specialist system is not responsible for this case (becomes the BPMN error NICHT_ZUSTAENDIG)."""


def call(base: str, token: str, path: str, body: dict[str, Any]) -> Any:
    """POST `body` as JSON to the API and return the decoded answer."""
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"KIMFLOW_URL muss mit http:// oder https:// beginnen, nicht {base!r}")
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=45) as answer:  # noqa: S310 - the URL is the operator's
        return json.loads(answer.read() or b"null")


def check(variables: dict[str, Any]) -> dict[str, Any]:
    """Do the work of one task; return the result variables (a stand-in for the specialist system)."""
    if variables.get("zustaendig") is False:
        raise NotResponsible("Wohnsitz außerhalb des Kreises")
    return {"geprueft": True}


def work_once(base: str, token: str, worker_id: str, handler: Callable[[dict], dict] = check,
              topic: str = TOPIC, wait_ms: int = 0) -> int:
    """Fetch up to ten tasks (waiting up to `wait_ms` for one), work each, report the outcome; return the count."""
    tasks = call(base, token, "/external-tasks/fetch-and-lock",
                 {"worker_id": worker_id, "topics": [topic], "max_tasks": 10, "lock_duration": 60_000,
                  "async_response_timeout": wait_ms})["items"]
    for task in tasks:
        path = f"/external-tasks/{task['id']}"
        try:
            result = handler(task["variables"])
        except NotResponsible as err:
            call(base, token, f"{path}/bpmn-error", {"worker_id": worker_id, "error_code": "NICHT_ZUSTAENDIG",
                                                    "error_message": str(err)})
        except Exception as err:  # noqa: BLE001 - any other failure is reported, retried three times
            retries = 3 if task["retries"] is None else task["retries"] - 1
            call(base, token, f"{path}/failure", {"worker_id": worker_id, "error_message": str(err)[:4000],
                                                 "retries": max(retries, 0), "retry_timeout": 30_000})
        else:
            call(base, token, f"{path}/complete", {"worker_id": worker_id, "variables": result})
    return len(tasks)


def main() -> None:
    """Work forever; when there is nothing to do, the server holds the request until work arrives."""
    base, token = os.environ["KIMFLOW_URL"].rstrip("/"), os.environ["KIMFLOW_TOKEN"]
    worker_id = os.environ.get("KIMFLOW_WORKER_ID", f"worker-{os.getpid()}")
    while True:
        if not work_once(base, token, worker_id, wait_ms=20_000):
            time.sleep(1)  # the server had nothing for 20 s, or answered at once with an error


if __name__ == "__main__":
    main()
