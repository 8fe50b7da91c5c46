"""A crowd of feed readers long-polling one service at once, and timed probes meanwhile.

Used by the fault tests (nothing lost, the service keeps answering) and by ``bench/longpolls.py``
(how long ``/readyz`` and a write take while the crowd waits).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from shared.auth import issue_token
from shared.settings import Settings


def reader_headers(settings: Settings, readers: int, polls_each: int, role: str = "platform") -> list[dict[str, str]]:
    """One header set per poll: ``readers`` principals keeping ``polls_each`` polls each."""
    tokens = [issue_token(settings, sub=f"province-{n}", roles=[role]) for n in range(readers)]
    return [{"Authorization": f"Bearer {tokens[n % readers]}"} for n in range(readers * polls_each)]


@dataclass
class Crowd:
    """Readers that follow ``/{service}/v1/events`` as a platform does: poll, take the page, poll on."""

    client: httpx.AsyncClient
    service: str
    headers: list[dict[str, str]]
    wait: float = 20
    types: str | None = None
    seen: list[list[int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, after: int = 0) -> None:
        self.seen = [[] for _ in self.headers]
        self._tasks = [asyncio.create_task(self._follow(n, after)) for n in range(len(self.headers))]

    async def _follow(self, n: int, after: int) -> None:
        params: dict[str, str | int | float] = {"after": after, "wait": self.wait, "limit": 1000}
        if self.types:
            params["types"] = self.types
        failures = 0
        while True:
            try:
                response = await self.client.get(f"/{self.service}/v1/events", params=params, headers=self.headers[n])
            except httpx.TransportError as error:
                # A pooled keep-alive connection the server closed as it was reused: a reader
                # polls again from where it was, as any platform client does. Three in a row fail.
                failures += 1
                self.reconnects += 1
                if failures == 3:
                    self.errors.append(f"poll {n}: {type(error).__name__} three times in a row")
                    return
                continue
            failures = 0
            if response.status_code != 200:
                self.errors.append(f"poll {n}: {response.status_code} {response.text[:200]}")
                return
            page = response.json()
            self.seen[n].extend(item["position"] for item in page["items"])
            params["after"] = page["next_after"]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def until(self, check: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline or self.errors:
                return False
            await asyncio.sleep(0.1)
        return True


async def waiting_polls(client: httpx.AsyncClient, service: str) -> int:
    """The service's own count of polls waiting for a commit (its ``/metrics``)."""
    text = (await client.get("/metrics")).text
    found = re.search(rf'^openness_feed_waiting_polls{{service="{service}"}} ([0-9.e+]+)$', text, re.MULTILINE)
    return int(float(found.group(1))) if found else 0


async def until_waiting(client: httpx.AsyncClient, service: str, polls: int, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while (waiting := await waiting_polls(client, service)) < polls and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return waiting


async def timed(method: str, url: str, **kwargs: object) -> tuple[float, int]:
    """Seconds and status of one probe, sent from its own thread and connection: the crowd's
    event loop (busy with hundreds of answers) must not be what the probe measures."""

    def probe() -> tuple[float, int]:
        started = time.perf_counter()
        response = httpx.request(method, url, timeout=120, **kwargs)  # type: ignore[arg-type]
        return time.perf_counter() - started, response.status_code

    return await asyncio.to_thread(probe)


def crowd_client(base_url: str, polls: int, wait: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        limits=httpx.Limits(max_connections=polls + 20, max_keepalive_connections=polls + 20),
        timeout=httpx.Timeout(wait + 60),
    )
