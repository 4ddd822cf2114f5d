"""The workflows this process saved last, kept to continue without parsing their state again.

Restoring a SpiffWorkflow from its JSON state is a tenth of a task completion. A workflow is kept only after the
transaction that saved it committed, and is given out only while the stored state is exactly the text it was saved
as (same version): a change by another process, a migration, retention or a rolled-back save all change or keep
that text, so they simply cause a fresh load. Each workflow has one owner at a time: taking it removes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "kimflow_live_workflows"


class LiveWorkflows:
    """A small LRU of (version id, state text, workflow) per instance and database."""

    def __init__(self, size: int = 64):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, int], tuple[int, str, Any]] = OrderedDict()

    def take(self, key: tuple[str, int], version_id: int, state: str) -> Any | None:
        """Return the kept workflow of this instance if it is the stored state, removing it from the cache."""
        with self._lock:
            entry = self._items.pop(key, None)
        if entry is not None and entry[0] == version_id and entry[1] == state:
            return entry[2]
        return None

    def keep_after_commit(self, session: Session, key: tuple[str, int], version_id: int, state: str,
                          workflow: Any) -> None:
        """Keep the workflow once `session` commits the state it was saved as (the last save wins)."""
        session.info.setdefault(_PENDING, {})[(id(self), key)] = (self, key, (version_id, state, workflow))

    def keep_now(self, key: tuple[str, int], version_id: int, state: str, workflow: Any) -> None:
        """Give back a workflow that was only looked at (its state is still the stored one)."""
        self._put(key, (version_id, state, workflow))

    def _put(self, key: tuple[str, int], entry: tuple[int, str, Any]) -> None:
        with self._lock:
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _committed(session: Session) -> None:
    for cache, key, entry in session.info.pop(_PENDING, {}).values():
        cache._put(key, entry)


def _rolled_back(session: Session, _previous: Any = None) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_rollback", _rolled_back)
