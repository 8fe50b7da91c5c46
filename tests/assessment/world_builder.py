"""Four services in one process, followers wired over ASGI, one server clock for all of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import auth, service_client


@dataclass
class City:
    settings: Settings
    catalogue: TestClient
    interpretation: TestClient
    opinion: TestClient
    assessment: TestClient

    def at(self, moment: str) -> City:
        """Set every service's clock (published_at, recorded_at, issued_at...) to ``moment``."""
        instant = datetime.fromisoformat(moment).astimezone(UTC)
        for client in (self.catalogue, self.interpretation, self.opinion, self.assessment):
            client.app.state.application.clock = lambda instant=instant: instant  # type: ignore[attr-defined]
        return self

    def follow(self) -> None:
        for client in (self.interpretation, self.assessment):
            for follower in client.app.state.followers:  # type: ignore[attr-defined]
                follower.catch_up()

    def post(
        self, client: TestClient, path: str, body: dict[str, Any] | None = None, *roles: str, dept: str | None = None
    ) -> Any:
        response = client.post(path, json=body or {}, headers=auth(self.settings, *roles, dept=dept))
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()


@contextmanager
def city(settings: Settings) -> Iterator[City]:
    with ExitStack() as stack:
        clients = {
            s: stack.enter_context(service_client(s, settings))
            for s in ("catalogue", "interpretation", "opinion", "assessment")
        }
        for client in (clients["interpretation"], clients["assessment"]):
            for follower in client.app.state.followers:  # type: ignore[attr-defined]
                follower.client, follower.base_url = clients[follower.spec.upstream], "http://testserver"
        yield City(settings, **clients)
