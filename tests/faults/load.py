"""Write load against a real service process: creates with Idempotency-Keys from several threads,
retried after any failure, so a test can tell what was acknowledged, lost or doubled."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tests.catalogue.builders import record_body


@dataclass
class WriteLoad:
    """``writers`` threads, each creating ``per_writer`` records with keys of its own."""

    url: Callable[[], str]  # the service's base URL (a restarted process may move)
    headers: dict[str, str]
    writers: int = 4
    per_writer: int = 30
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> id answered with 201
    refusals: list[int] = field(default_factory=list)  # statuses other than 201 (must be clean 503s, never 500)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def keys(self) -> list[str]:
        return [f"load-{w}-{n}" for w in range(self.writers) for n in range(self.per_writer)]

    def create(self, client: httpx.Client, key: str) -> httpx.Response | None:
        try:
            return client.post(
                f"{self.url()}/catalogue/v1/records",
                json=record_body(title=f"负载{key}"),
                headers={**self.headers, "Idempotency-Key": key},
            )
        except httpx.TransportError:
            return None  # not acknowledged: the client will retry

    def _writer(self, w: int, on_each: Callable[[int], None]) -> None:
        with httpx.Client(timeout=10) as client:
            for n in range(self.per_writer):
                key = f"load-{w}-{n}"
                response = self.create(client, key)
                with self._lock:
                    if response is not None and response.status_code == 201:
                        self.acknowledged[key] = response.json()["id"]
                    elif response is not None:
                        self.refusals.append(response.status_code)
                    done = len(self.acknowledged) + len(self.refusals)
                on_each(done)

    def run(self, on_each: Callable[[int], None] = lambda _: None) -> None:
        threads = [threading.Thread(target=self._writer, args=(w, on_each)) for w in range(self.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def retry_all(self) -> dict[str, str]:
        """What a client does afterwards: every key again until 201. Returns key -> id."""
        ids: dict[str, str] = {}
        with httpx.Client(timeout=30) as client:
            for key in self.keys:
                response = self.create(client, key)
                assert response is not None, f"{key}: the service does not answer"
                assert response.status_code == 201, response.text
                ids[key] = response.json()["id"]
        return ids
