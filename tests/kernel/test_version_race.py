"""A store-level version race: the second writer of the same version loses cleanly (409), nothing lost."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError
from fastapi.testclient import TestClient

from services.catalogue.domain import Record
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth


def test_two_writers_of_one_version(catalogue: TestClient, settings: Settings) -> None:
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    record = publish(catalogue, settings, draft(catalogue, settings))
    first, second = app.repository.get(record["id"]), app.repository.get(record["id"])
    assert isinstance(first, Record)
    assert isinstance(second, Record)
    first.correct(title="第一次更正", body=None, attachments=None, reason="甲", by="a")
    second.correct(title="第二次更正", body=None, attachments=None, reason="乙", by="b")
    app.save(first)
    with pytest.raises(IntegrityError):
        app.save(second)
    assert app.verify_chain().ok
    shown = catalogue.get(f"/catalogue/v1/records/{record['id']}").json()
    assert (shown["title"], shown["version"]) == ("第一次更正", 3)
    history = catalogue.get(f"/catalogue/v1/records/{record['id']}/history").json()["items"]
    assert [h["reason"] for h in history if h["change"] == "corrected"] == ["甲"]


def test_the_race_is_a_409_problem_over_http(
    catalogue: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    record = draft(catalogue, settings)

    def lose_the_race(*_: object, **__: object) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(app, "publish_record", lose_the_race)
    response = catalogue.post(
        f"/catalogue/v1/records/{record['id']}/publish", headers=auth(settings, "editor", dept="FIN")
    )
    body = assert_problem(response, 409, "concurrent_modification")
    assert "retry" in body["detail"]
