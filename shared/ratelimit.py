"""A small sliding-window rate limiter for public writes (per process; the gateway limits globally)."""

from __future__ import annotations

import threading
import time
from collections import deque

from shared.errors import TooManyRequests

MAX_TRACKED_CLIENTS = 100_000


class RateLimiter:
    def __init__(self, max_events: int, window_seconds: float) -> None:
        self.max_events = max_events
        self.window = window_seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> None:
        """Count one request of ``client``; 429 with Retry-After when over the limit."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > MAX_TRACKED_CLIENTS:
                self._seen.clear()  # bounded memory under a flood of distinct clients
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] > self.window:
                times.popleft()
            if len(times) >= self.max_events:
                retry_after = max(1, int(self.window - (now - times[0])) + 1)
                raise TooManyRequests(
                    f"at most {self.max_events} requests per {int(self.window)} s; retry later", retry_after=retry_after
                )
            times.append(now)
