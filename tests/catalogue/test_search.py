"""可检索: Chinese full-text search segmented by jieba, on SQLite FTS5 and PostgreSQL tsvector."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from services.catalogue import search
from services.catalogue.read_models import record_search
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth, service_client


@pytest.fixture
def library(catalogue: TestClient, settings: Settings) -> dict[str, str]:
    titles = {
        "budget": "关于财政预算公开的通知",
        "school": "市教育局关于义务教育招生入学的实施意见",
        "health": "市卫健委关于医疗机构监督检查的公告",
        "quote": '关于"双随机、一公开"监管的通知',
    }
    ids = {}
    for key, title in titles.items():
        dept = {"school": "EDU", "health": "HEALTH"}.get(key, "FIN")
        ids[key] = publish(
            catalogue, settings, draft(catalogue, settings, dept=dept, title=title, body=f"{title}。正文。")
        )["id"]
    draft(catalogue, settings, title="关于预算公开的草稿")  # a draft: not found by the public
    return ids


def _titles(client: TestClient, query: str, **headers: str) -> list[str]:
    response = client.get("/catalogue/v1/records", params={"q": query}, headers=headers)
    assert response.status_code == 200, response.text
    return [r["title"] for r in response.json()["items"]]


def test_two_character_words_match(catalogue: TestClient, library: dict[str, str]) -> None:
    assert "关于财政预算公开的通知" in _titles(catalogue, "公开")
    assert _titles(catalogue, "预算") == ["关于财政预算公开的通知"]
    assert _titles(catalogue, "教育") == ["市教育局关于义务教育招生入学的实施意见"]


def test_all_words_must_match_and_relevance_orders(catalogue: TestClient, library: dict[str, str]) -> None:
    assert _titles(catalogue, "财政 公开") == ["关于财政预算公开的通知"]
    assert _titles(catalogue, "医疗 预算") == []


def test_drafts_are_found_only_by_their_department(
    catalogue: TestClient, settings: Settings, library: dict[str, str]
) -> None:
    assert "关于预算公开的草稿" not in _titles(catalogue, "预算")
    assert "关于预算公开的草稿" in _titles(catalogue, "预算", **auth(settings, "editor", dept="FIN"))
    assert "关于预算公开的草稿" not in _titles(catalogue, "预算", **auth(settings, "editor", dept="EDU"))


@pytest.mark.parametrize("query", ["' OR 1=1 --", '"', "NEAR(", "*", ":*", "&|!", "公开 OR 1=1", "a\\b", "%_", "）（"])
def test_query_syntax_and_injection_never_raise(catalogue: TestClient, library: dict[str, str], query: str) -> None:
    response = catalogue.get("/catalogue/v1/records", params={"q": query})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


def test_search_combines_with_filters_and_pages(
    catalogue: TestClient, settings: Settings, library: dict[str, str]
) -> None:
    assert _titles(catalogue, "关于") != []
    only_edu = catalogue.get("/catalogue/v1/records", params={"q": "关于", "department": "EDU"}).json()["items"]
    assert [r["department"] for r in only_edu] == ["EDU"]
    first = catalogue.get("/catalogue/v1/records", params={"q": "关于", "limit": 2}).json()
    second = catalogue.get(
        "/catalogue/v1/records", params={"q": "关于", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    seen = [r["id"] for r in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 4
    foreign = catalogue.get("/catalogue/v1/records", params={"q": "通知", "cursor": first["next_cursor"]})
    assert_problem(foreign, 422, "invalid_cursor")


def _all_pages(client: TestClient, query: str, limit: int) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": query, "limit": limit} | ({"cursor": cursor} if cursor else {})
        page = client.get("/catalogue/v1/records", params=params).json()
        ids += [r["id"] for r in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            return ids


def test_a_word_in_many_records_is_ranked_newest_first_in_tranches(settings: Settings) -> None:
    """Ranking reads every match it ranks, so the matches are taken newest first a tranche at a
    time (``OPENNESS_SEARCH_RANK_TRANCHE``), each tranche ranked; paging goes on into older ones."""
    settings = settings.model_copy(update={"search_rank_tranche": 10})
    with service_client("catalogue", settings) as catalogue:
        made = []  # oldest first; one in each ten says 养老 far more often than the others
        for n in range(25):
            body = "养老" * 30 if n % 10 == 3 else f"第{n}号正文。"
            made.append(
                publish(catalogue, settings, draft(catalogue, settings, title=f"关于养老服务的通知{n}", body=body))[
                    "id"
                ]
            )
        found = _all_pages(catalogue, "养老", limit=50)
        newest, middle, oldest = made[15:], made[5:15], made[:5]
        assert (set(found[:10]), set(found[10:20]), set(found[20:])) == (set(newest), set(middle), set(oldest))
        # the most relevant of each tranche first in it, the oldest one's after every newer tranche
        assert (found[0], found[10], found[20]) == (made[23], made[13], made[3])
        assert _all_pages(catalogue, "养老", limit=4) == found  # pages go across tranches, none twice

        settings = settings.model_copy(update={"search_rank_tranche": 2000})
    with service_client("catalogue", settings) as catalogue:
        ranked_all = _all_pages(catalogue, "养老", limit=50)
        assert set(ranked_all[:3]) == {made[3], made[13], made[23]}  # fewer matches than a tranche: all ranked
        assert sorted(ranked_all) == sorted(found)


def test_a_correction_is_searchable_and_the_old_words_are_gone(catalogue: TestClient, settings: Settings) -> None:
    record = publish(catalogue, settings, draft(catalogue, settings, title="关于农业补贴的通知", body="补贴"))
    body = {"title": "关于林业补贴的通知", "reason": "标题有误"}
    assert (
        catalogue.post(
            f"/catalogue/v1/records/{record['id']}/correct", json=body, headers=auth(settings, "editor", dept="FIN")
        ).status_code
        == 200
    )
    assert _titles(catalogue, "林业") == ["关于林业补贴的通知"]
    assert _titles(catalogue, "农业") == []


def test_the_search_index_is_rebuilt_with_the_read_models(catalogue: TestClient, library: dict[str, str]) -> None:
    catalogue.app.state.application.rebuild()  # type: ignore[attr-defined]
    assert _titles(catalogue, "预算") == ["关于财政预算公开的通知"]
    assert len(_titles(catalogue, "关于")) == 4


def _documents(app: Any) -> dict[str, tuple[str, str | None]]:
    with app.reading() as session:
        rows = session.execute(select(record_search.c.record_id, record_search.c.document, record_search.c.source))
        return {record_id: (document, made_from) for record_id, document, made_from in rows}


def _counting_documents(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, ...]]:
    made: list[tuple[str | None, ...]] = []
    document = search.document

    def counted(*parts: str | None) -> str:
        made.append(parts)
        return document(*parts)

    monkeypatch.setattr(search, "document", counted)
    return made


def test_a_rebuild_keeps_the_documents_of_unchanged_records_and_tokenises_none(
    catalogue: TestClient, library: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    before = _documents(app)
    assert len(before) == 5
    assert all(made_from is not None for _, made_from in before.values())
    made = _counting_documents(monkeypatch)
    app.rebuild()
    assert made == []  # jieba was the largest cost of a rebuild
    assert _documents(app) == before
    assert _titles(catalogue, "预算") == ["关于财政预算公开的通知"]


def test_a_rebuild_remakes_missing_documents_and_those_whose_texts_or_tokeniser_changed_and_drops_orphans(
    catalogue: TestClient, library: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    before = _documents(app)
    sqlite = app.store.engine.dialect.name == "sqlite"
    with app.transaction() as session:
        # made by another version of the texts, before sources were kept, and for a record that is gone
        session.execute(
            record_search.update()
            .where(record_search.c.record_id == library["budget"])
            .values(document="旧", source="0")
        )
        session.execute(
            record_search.update().where(record_search.c.record_id == library["school"]).values(source=None)
        )
        if sqlite:  # and one record's document lost
            session.execute(
                text(
                    "DELETE FROM catalogue_record_fts WHERE rowid = "
                    "(SELECT rowid FROM catalogue_record_search WHERE record_id = :id)"
                ),
                {"id": library["health"]},
            )
        session.execute(record_search.delete().where(record_search.c.record_id == library["health"]))
        inserted = session.execute(record_search.insert().values(record_id="gone", document="孤儿 预算", source="0"))
        if sqlite:
            session.execute(
                text("INSERT INTO catalogue_record_fts (rowid, record_id, document) VALUES (:r, 'gone', '孤儿 预算')"),
                {"r": inserted.lastrowid},
            )
    made = _counting_documents(monkeypatch)
    app.rebuild()
    assert sorted(parts[0] or "" for parts in made) == sorted(
        ["关于财政预算公开的通知", "市教育局关于义务教育招生入学的实施意见", "市卫健委关于医疗机构监督检查的公告"]
    )
    assert _documents(app) == before
    assert _titles(catalogue, "预算") == ["关于财政预算公开的通知"]
    assert _titles(catalogue, "医疗") == ["市卫健委关于医疗机构监督检查的公告"]
    if sqlite:
        with app.reading() as session:
            assert session.execute(text("SELECT count(*) FROM catalogue_record_fts")).scalar() == len(before)

    made.clear()
    monkeypatch.setattr(search, "TOKENISER", search.TOKENISER + " (another dictionary)")
    app.rebuild()
    assert len(made) == len(before)  # every document made again, once each
    assert {k: d for k, (d, _) in _documents(app).items()} == {k: d for k, (d, _) in before.items()}
