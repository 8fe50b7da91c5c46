"""SIGKILL under concurrent write load: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from shared.settings import Settings
from tests.e2e.processes import cluster
from tests.faults.load import WriteLoad
from tests.support import auth


def test_kill_9_under_write_load_loses_nothing_acknowledged(settings: Settings, tmp_path: Path) -> None:
    with cluster(settings, tmp_path, services=("catalogue",)) as running:
        load = WriteLoad(lambda: running.url("catalogue"), auth(settings, "editor", dept="FIN"))
        killed = threading.Event()

        def kill_midway(answered: int) -> None:
            if answered >= 30 and not killed.is_set():
                killed.set()
                running.kill("catalogue")  # SIGKILL while four writers are mid-request

        load.run(kill_midway)
        assert killed.is_set()
        assert set(load.refusals) <= {503}, load.refusals
        running.start("catalogue")
        ids = load.retry_all()
        assert {key: ids[key] for key in load.acknowledged} == load.acknowledged  # the very same records
        assert len(set(ids.values())) == len(load.keys)  # one record per key
        verdict = httpx.get(
            f"{running.url('catalogue')}/catalogue/v1/audit/verify", headers=auth(settings, "auditor"), timeout=30
        ).json()
    assert len(load.acknowledged) >= 30
    assert verdict["ok"] is True
    assert verdict["checked"] == len(load.keys)  # one event per key: none lost, none doubled
