"""A full disk under SQLite (the service's file size limit lowered under it, as a full volume
would): writes are refused cleanly and record nothing, reads go on, and once there is room again
the service writes without a restart, having lost nothing it acknowledged."""

from __future__ import annotations

import resource
from pathlib import Path

import httpx
import pytest

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.e2e.processes import cluster
from tests.support import auth

ROOM = 300_000  # bytes the files may still grow by: room for some records, then full


def test_a_full_disk_refuses_writes_cleanly_and_recovers_when_space_returns(
    backend: str, settings: Settings, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's files on the service's own disk; PostgreSQL's disk is the server's")
    editor, auditor = auth(settings, "editor", dept="FIN"), auth(settings, "auditor")
    with cluster(settings, tmp_path, services=("catalogue",)) as running, httpx.Client(timeout=30) as client:
        url, pid = running.url("catalogue"), running.processes["catalogue"].pid
        largest = max(f.stat().st_size for f in settings.data_dir.iterdir())
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (largest + ROOM, resource.RLIM_INFINITY))
        acknowledged, refused = [], []
        for n in range(200):
            body = record_body(title=f"磁盘{n}", body="正文" * 3000)
            answer = client.post(f"{url}/catalogue/v1/records", json=body, headers=editor)
            if answer.status_code == 201:
                acknowledged.append(answer.json()["id"])
                continue
            refused.append(answer)
            if len(refused) == 3:
                break
        assert acknowledged, "the limit left no room at all"
        assert len(refused) == 3, "the disk never filled"
        for answer in refused:
            assert answer.status_code == 503
            assert answer.json()["code"] == "store_full"
            assert answer.headers["Retry-After"]
        head = client.get(f"{url}/catalogue/v1/audit/head").json()["position"]
        assert head == len(acknowledged)  # refused writes recorded nothing
        for record_id in acknowledged:  # reads go on while the disk is full
            assert client.get(f"{url}/catalogue/v1/records/{record_id}", headers=editor).status_code == 200
        assert client.get(f"{url}/readyz").status_code == 200

        resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))  # space again
        assert client.post(f"{url}/catalogue/v1/records", json=record_body(), headers=editor).status_code == 201
        verdict = client.get(f"{url}/catalogue/v1/audit/verify", headers=auditor).json()
        assert (verdict["ok"], verdict["checked"]) == (True, len(acknowledged) + 1)
