"""Login throttling per client address (password spraying across accounts); accounts lock themselves."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginThrottle:
    """Count failed sign-ins per address in a sliding window (per server process)."""

    def __init__(self, limit: int = 20, window_seconds: float = 900.0):
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures[key]
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def blocked(self, key: str, now: float | None = None) -> bool:
        """Tell whether this address has used up its failed attempts."""
        with self._lock:
            return len(self._recent(key, now or time.monotonic())) >= self.limit

    def failed(self, key: str, now: float | None = None) -> None:
        """Count one failed attempt from this address."""
        with self._lock:
            self._recent(key, now or time.monotonic()).append(now or time.monotonic())
