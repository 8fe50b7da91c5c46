"""PostgreSQL connections killed under the service (a failover, an operator's pg_terminate_backend):
requests fail cleanly (503) while the pool notices, nothing acknowledged is lost or doubled, and the
service recovers by itself, replica wake-ups included."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.e2e.processes import cluster
from tests.faults.load import WriteLoad
from tests.support import PG_URL, auth, service_client

TERMINATE = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name LIKE :name AND pid <> pg_backend_pid()"
)


def _terminate(application_name: str) -> int:
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            return int(connection.execute(TERMINATE, {"name": f"{application_name}%"}).scalar_one())
    finally:
        admin.dispose()


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("PostgreSQL only: terminating server connections")


@pytest.mark.usefixtures("postgres_only")
def test_connections_killed_under_an_idle_service_recover_by_themselves(settings: Settings) -> None:
    with service_client("catalogue", settings) as client:
        headers = auth(settings, "editor", dept="FIN")
        assert client.post("/catalogue/v1/records", json=record_body(), headers=headers).status_code == 201
        assert _terminate(client.app.state.application.store.application_name) >= 1  # type: ignore[attr-defined]
        statuses = [
            client.post("/catalogue/v1/records", json=record_body(), headers=headers).status_code for _ in range(3)
        ]
        assert set(statuses) <= {201, 503}  # a request may fail cleanly while the pool notices...
        assert statuses[-1] == 201  # ...then it recovers without a restart
        assert int(client.get("/catalogue/v1/audit/head").json()["position"]) == 1 + statuses.count(201)


@pytest.mark.usefixtures("postgres_only")
def test_connections_killed_again_and_again_under_write_load_lose_and_double_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    application_name = f"openness:{settings.database_schema_prefix}catalogue"
    with cluster(settings, tmp_path, services=("catalogue",)) as running:
        url = running.url("catalogue")
        load = WriteLoad(lambda: url, auth(settings, "editor", dept="FIN"), writers=3, per_writer=25)
        stop, kills = threading.Event(), []

        def killer() -> None:
            while not stop.wait(0.3):
                kills.append(_terminate(application_name))  # pooled connections and the LISTEN one

        thread = threading.Thread(target=killer)
        thread.start()
        try:
            load.run()
        finally:
            stop.set()
            thread.join()
        assert sum(kills) >= 3, kills
        assert set(load.refusals) <= {503}, load.refusals  # clean refusals, never a 500
        ids = load.retry_all()  # the service answers again, without a restart
        assert {key: ids[key] for key in load.acknowledged} == load.acknowledged
        assert len(set(ids.values())) == len(load.keys)
        verdict = httpx.get(f"{url}/catalogue/v1/audit/verify", headers=auth(settings, "auditor"), timeout=30).json()
        assert (verdict["ok"], verdict["checked"]) == (True, len(load.keys))
        # The replica wake-up reconnected too: a long poll is woken by the next commit.
        reader = auth(settings, "auditor")
        with httpx.Client(timeout=30) as client:
            head = int(client.get(f"{url}/catalogue/v1/events", headers=reader).json()["head_position"])
            waiting = threading.Thread(
                target=lambda: woken.append(
                    client.get(f"{url}/catalogue/v1/events", params={"after": head, "wait": 10}, headers=reader).json()
                )
            )
            woken: list[dict[str, object]] = []
            waiting.start()
            assert load.create(client, "after-the-kills") is not None
            waiting.join()
        assert len(woken[0]["items"]) == 1  # type: ignore[arg-type]
