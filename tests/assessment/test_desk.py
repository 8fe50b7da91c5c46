"""The office desk: every number a page shows is the JSON API's for the same year and instant; each
violation links to its source; 待办 is for the office and auditors only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from services.assessment.desk.routes import month_ends
from shared.settings import Settings
from tests.assessment.world_builder import AS_OF, City, build_year, city
from tests.support import auth

DESK = "/assessment/desk"


def _page(c: City, path: str, **params: Any) -> Any:
    response = c.assessment.get(f"{DESK}{path}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]  # no script allowed at all
    assert "<script" not in response.text
    return lxml_html.fromstring(response.text)


def _number(text: str) -> float | None:
    return None if text == "null" else float(text)


@pytest.fixture
def built(settings: Settings) -> Any:
    with city(settings) as c:
        refs = build_year(c)
        yield c, refs


def test_the_league_page_shows_the_api_numbers_in_the_api_order(built: Any) -> None:
    c, _ = built
    for params in ({"year": 2026}, {"year": 2026, "as_of": "2026-06-30T18:00"}):
        api_params = {**params, "as_of": params["as_of"] + ":00+08:00"} if "as_of" in params else params
        api = c.assessment.get("/assessment/v1/scores", params=api_params).json()["items"]
        page = _page(c, "/", **params)
        rows = page.xpath("//table[@class='league']/tbody/tr")
        assert [r.get("data-department") for r in rows] == [e["department"] for e in api]
        for row, entry in zip(rows, api, strict=True):
            assert int(row.xpath("td[@data-field='rank']")[0].text) == entry["rank"]
            assert float(row.xpath("td[@data-field='score']")[0].text) == entry["score"]
            assert float(row.xpath("td[@data-field='deductions']")[0].text) == entry["deductions"]
            rates = {
                td.get("data-indicator"): _number(td.get("data-value")) for td in row.xpath("td[@data-field='rate']")
            }
            assert rates == entry["rates"]
        assert page.xpath("//svg[@role='img']/title")[0].text == "2026年各部门考核得分"


def test_a_department_page_lists_every_violation_with_a_link_to_its_source(built: Any) -> None:
    c, refs = built
    api = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": AS_OF}).json()
    page = _page(c, "/departments/FIN", year=2026, as_of="2026-11-26T12:00")
    assert float(page.xpath("//dd[@data-field='score']")[0].text) == api["score"] < 100
    assert float(page.xpath("//dd[@data-field='deductions']")[0].text) == api["deductions"]["points"] == 5
    shown = [
        (tr.get("data-kind"), tr.get("data-ref"), tr.xpath("td/a")[0].get("href"))
        for tr in page.xpath("//tr[@class='violation']")
    ]
    expected = [(v["kind"], v["ref_id"]) for i in api["indicators"].values() for v in i["violations"]]
    assert [(kind, ref) for kind, ref, _ in shown] == expected
    assert len(expected) >= 5
    catalogue, opinion = c.settings.url_of("catalogue"), c.settings.url_of("opinion")
    links = {kind: href for kind, _, href in shown}
    assert links["unpublished_past_due"].startswith(f"{catalogue}/catalogue/v1/records/")
    assert links["late_reply"].startswith(f"{catalogue}/catalogue/v1/requests/")
    assert links["reply_unpublished_past_due"].startswith(f"{catalogue}/catalogue/v1/proposals/")
    assert links["missed_press_conference"] == f"{opinion}/opinion/v1/incidents/{refs['incident']}"
    for kind, ref, href in shown:  # every source link opens on its service
        service = urlsplit(href).path.split("/")[1]
        client = {"catalogue": c.catalogue, "interpretation": c.interpretation, "opinion": c.opinion}[service]
        answer = client.get(urlsplit(href).path, headers=auth(c.settings, "office"))
        assert answer.status_code == 200, (kind, ref, href, answer.text)


def test_links_go_through_the_gateway_when_a_public_url_is_set(settings: Settings) -> None:
    with city(settings.model_copy(update={"public_url": "/"})) as c:
        build_year(c)
        page = _page(c, "/departments/FIN", year=2026)
        hrefs = page.xpath("//tr[@class='violation']/td/a/@href")
        assert hrefs
        assert all(h.startswith(("/catalogue/v1/", "/opinion/v1/", "/interpretation/v1/")) for h in hrefs)


def test_the_trend_is_each_month_end_re_derived_with_as_of(built: Any) -> None:
    c, _ = built
    page = _page(c, "/trend", year=2026)
    ends = month_ends(2026, datetime.fromisoformat(AS_OF))
    assert [th.text for th in page.xpath("//table[@class='trend']/thead/tr/th/time")] == [
        f"{m}月" for m in range(1, 12)
    ]
    fin = {
        int(td.get("data-month")): _number(td.get("data-value")) for td in page.xpath("//tr[@data-department='FIN']/td")
    }
    for month, (_, moment) in enumerate(ends, start=1):
        api = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": moment.isoformat()}).json()
        assert fin[month] == api["score"], month
    assert len(set(fin.values())) > 2  # the year moved: the chart is not a flat line


def test_todo_is_for_the_office_and_auditors(built: Any) -> None:
    c, _ = built
    anonymous = c.assessment.get(f"{DESK}/todo")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.headers["cache-control"] == "no-store"
    assert 'name="token"' in anonymous.text
    editor = c.assessment.get(f"{DESK}/todo", headers=auth(c.settings, "editor", dept="FIN"))
    assert editor.status_code == 403
    bad = c.assessment.post(
        f"{DESK}/sign-in", content="token=not-a-token", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert bad.status_code == 401
    assert "令牌无效" in bad.text
    token = auth(c.settings, "office")["Authorization"].split(" ", 1)[1]
    signed = c.assessment.post(
        f"{DESK}/sign-in",
        content=f"token={token}",
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    todo = c.assessment.get(f"{DESK}/todo", params={"year": 2026})
    assert todo.status_code == 200, todo.text
    page = lxml_html.fromstring(todo.text)
    proposals = c.assessment.get(
        "/assessment/v1/proposed-actions", params={"year": 2026}, headers=auth(c.settings, "office")
    ).json()
    assert [tr.get("data-ref") for tr in page.xpath("//table[@class='proposals']/tbody/tr")] == [
        p["ref_id"] for p in proposals["items"]
    ]
    overdue = {
        (tr.get("data-department"), tr.get("data-kind")) for tr in page.xpath("//table[@class='overdue']/tbody/tr")
    }
    assert ("FIN", "unpublished_past_due") in overdue
    assert ("FIN", "reply_unpublished_past_due") in overdue
    assert ("FIN", "missed_press_conference") in overdue
    assert ("FIN", "late_reply") not in overdue  # late but done: a score matter, not a task
    c.assessment.post(f"{DESK}/sign-out", follow_redirects=False)
    assert c.assessment.get(f"{DESK}/todo").status_code == 401
    auditor = c.assessment.get(f"{DESK}/todo", headers=auth(c.settings, "auditor"))
    assert auditor.status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/?as_of=yesterday", 422),
        ("/?year=1999", 422),
        ("/departments/NOPE", 422),
        ("/departments/" + "X" * 40, 422),
        ("/trend?year=abc", 422),
    ],
)
def test_bad_desk_input_is_4xx(settings: Settings, path: str, status: int) -> None:
    with city(settings) as c:
        assert c.assessment.get(f"{DESK}{path}").status_code == status
