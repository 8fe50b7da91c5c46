"""The annual report as a document (2021 format): sections 一–六, tables 二–四 with the JSON report's
numbers, narrative sections written through ``PUT …/narrative`` (an event), in HTML and DOCX."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from shared.settings import Settings
from tests.catalogue.test_requests import request_body
from tests.support import assert_problem, auth

SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
COLUMNS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other", "total"]
# Table 三 lines as the 2021 format labels them, and the JSON report's row for each.
TABLE3_LINES = {
    "一、本年新收政府信息公开申请数量": "new",
    "二、上年结转政府信息公开申请数量": "carried_over_from_last_year",
    "（一）予以公开": "outcome.granted",
    "1.属于国家秘密": "outcome.refused.state_secret",
    "1.本机关不掌握相关政府信息": "outcome.unable_to_provide.not_held",
    "2.重复申请": "outcome.not_processed.duplicate",
    "（七）总计": "outcome_total",
    "四、结转下年度继续办理": "carried_over_to_next_year",
}
OVERVIEW = (
    "2026年，市财政局坚持以公开为常态、不公开为例外。\n全年主动公开“预算”“决算”信息，Ａ级（全角）与 emoji 🙂 原样保存。"
)
PROBLEMS = "一是解读形式较单一；二是回应时效仍需提升。"


def _year(catalogue: TestClient, settings: Settings) -> None:
    """Requests of 2026 with several outcomes, one carried over, an appeal, a regulation, figures."""
    catalogue.app.state.application.clock = lambda: datetime(2027, 1, 10, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    fin = auth(settings, "editor", dept="FIN")
    plan = [
        ("natural_person", "2026-03-02", ("2026-03-20", "granted", None)),
        ("commercial", "2026-04-01", ("2026-04-20", "refused", "state_secret")),
        ("research", "2026-05-06", ("2026-05-25", "unable_to_provide", "not_held")),
        ("natural_person", "2026-06-01", ("2026-06-10", "not_processed", "duplicate")),
        ("legal_service", "2025-12-20", ("2026-01-12", "granted", None)),
        ("public_interest", "2026-12-28", None),
    ]
    for n, (kind, received, reply) in enumerate(plan):
        body = request_body(applicant={"type": kind, "name": f"申请人{n}", "contact": "x"}, received_on=received)
        request = catalogue.post("/catalogue/v1/requests", json=body, headers=fin).json()
        if reply is None:
            continue
        on, outcome, reason = reply
        answer = catalogue.post(
            f"/catalogue/v1/requests/{request['id']}/replied",
            json={"on": on, "outcome": outcome, "reason": reason},
            headers=fin,
        )
        assert answer.status_code == 200, answer.text
        if outcome == "refused":
            appeal = {"on": "2026-05-10", "kind": "reconsideration", "result": "upheld"}
            appealed = catalogue.post(f"/catalogue/v1/requests/{request['id']}/appealed", json=appeal, headers=fin)
            assert appealed.status_code == 200, appealed.text
    figures = {"department": "FIN", "licensing": 120, "penalty": 8, "enforcement": 2, "fees_10k_yuan": 35.5}
    assert catalogue.put("/catalogue/v1/annual-reports/2026/figures", json=figures, headers=fin).status_code == 200
    for section, text in (("overview", OVERVIEW), ("五", PROBLEMS)):
        written = catalogue.put(
            "/catalogue/v1/annual-reports/2026/narrative?department=FIN",
            json={"section": section, "text": text},
            headers=fin,
        )
        assert written.status_code == 200, written.text


@pytest.fixture
def year_built(catalogue: TestClient, settings: Settings) -> dict[str, Any]:
    _year(catalogue, settings)
    report: dict[str, Any] = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()
    assert report["table3"]["rows"]["outcome_total"]["total"] == 5
    assert report["table4"]["reconsideration"]["upheld"] == 1
    return report


def test_the_docx_has_every_section_and_table_with_the_json_numbers(
    catalogue: TestClient, year_built: dict[str, Any]
) -> None:
    answer = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN&format=docx")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in answer.headers["content-disposition"]
    document = docx.Document(io.BytesIO(answer.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "市财政局2026年政府信息公开工作年度报告"
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == SECTIONS
    assert OVERVIEW.splitlines() == paragraphs[paragraphs.index(SECTIONS[0]) + 1 : paragraphs.index(SECTIONS[1])]
    assert paragraphs[paragraphs.index(SECTIONS[4]) + 1] == PROBLEMS
    assert paragraphs[paragraphs.index(SECTIONS[5]) + 1] == "（本部分尚未填写。）"
    table2, table3, table4 = document.tables
    t2 = year_built["table2"]
    cells2 = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table2.rows}
    regulations = t2["regulations"]
    assert cells2["规章"] == [str(regulations["issued"]), str(regulations["abolished"]), str(regulations["in_force"])]
    assert cells2["行政许可"][0] == "120"
    assert (cells2["行政处罚"][0], cells2["行政强制"][0], cells2["行政事业性收费"][0]) == ("8", "2", "35.5")
    rows3 = year_built["table3"]["rows"]
    by_label = {row.cells[0].text.strip("\u3000"): [c.text for c in row.cells[2:]] for row in table3.rows}
    for label, key in TABLE3_LINES.items():
        assert by_label[label] == [str(rows3[key][c]) for c in COLUMNS], label
    t4 = year_built["table4"]
    expected4 = [str(t4[k][r]) for k in t4 for r in ("upheld", "corrected", "other", "pending", "total")]
    assert [c.text for c in table4.rows[3].cells] == expected4
    assert [c.text for c in table4.rows[2].cells][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_the_html_has_the_same_sections_and_numbers(catalogue: TestClient, year_built: dict[str, Any]) -> None:
    answer = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN&format=html")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "script" not in answer.headers["content-security-policy"]
    page = lxml_html.fromstring(answer.text)
    assert [h.text for h in page.xpath("//h2")] == SECTIONS
    assert [p.text for p in page.xpath("//section[@id='section-1']/p")] == OVERVIEW.splitlines()
    rows3 = year_built["table3"]["rows"]
    for tr in page.xpath("//table[@id='table-3']/tbody/tr"):
        label = tr.xpath("th")[0].text
        if label in TABLE3_LINES:
            assert [td.text for td in tr.xpath("td")] == [str(rows3[TABLE3_LINES[label]][c]) for c in COLUMNS]
    t4 = year_built["table4"]
    assert [td.text for td in page.xpath("//table[@id='table-4']/tbody/tr/td")] == [
        str(t4[k][r]) for k in t4 for r in ("upheld", "corrected", "other", "pending", "total")
    ]


def test_the_city_report_has_its_own_narrative(catalogue: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    editor = auth(settings, "editor", dept="FIN")
    city = "/catalogue/v1/annual-reports/2026/narrative"
    assert catalogue.put(city, json={"section": "六", "text": "全市其他事项"}, headers=editor).status_code == 403
    written = catalogue.put(city, json={"section": "六", "text": "全市其他事项"}, headers=office)
    assert written.status_code == 200
    assert written.json() | {"version": 0} == {
        "year": 2026,
        "department": None,
        "section": "other",
        "text": "全市其他事项",
        "version": 0,
    }
    page = catalogue.get("/catalogue/v1/annual-reports/2026?format=html").text
    assert "全市2026年政府信息公开工作年度报告" in page
    assert "全市其他事项" in page
    fin_page = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN&format=html").text
    assert "全市其他事项" not in fin_page


def test_narrative_is_an_event_and_stops_at_publication(catalogue: TestClient, settings: Settings) -> None:
    fin = auth(settings, "editor", dept="FIN")
    url = "/catalogue/v1/annual-reports/2026/narrative?department=FIN"
    first = catalogue.put(url, json={"section": "overview", "text": OVERVIEW}, headers=fin).json()
    assert first["text"] == OVERVIEW  # exactly as sent: full-width, quotes, emoji, line breaks
    again = catalogue.put(url, json={"section": "一", "text": OVERVIEW}, headers=fin).json()
    assert again["version"] == first["version"]  # the same text records nothing
    events = catalogue.get(
        "/catalogue/v1/events",
        params={"types": "catalogue.AnnualReport.NarrativeWritten"},
        headers=auth(settings, "auditor"),
    ).json()["items"]
    assert [e["data"]["text"] for e in events] == [OVERVIEW]
    other = auth(settings, "editor", dept="EDU")
    assert_problem(catalogue.put(url, json={"section": "overview", "text": "x"}, headers=other), 403)
    head = auth(settings, "head", dept="FIN")
    assert catalogue.post("/catalogue/v1/annual-reports/2026/publish?department=FIN", headers=head).status_code == 200
    late = catalogue.put(url, json={"section": "overview", "text": "改写"}, headers=fin)
    assert_problem(late, 409, "invalid_state")
    assert late.json()["reason"] == "already_published"


@pytest.mark.parametrize(
    "body",
    [
        {"section": "二", "text": "表格部分不是文字"},
        {"section": "overview"},
        {"section": "overview", "text": "x" * 50_001},
        {"section": "overview", "text": "正文", "extra": 1},
        {"section": "overview", "text": 5},
    ],
)
def test_bad_narrative_is_422_and_records_nothing(catalogue: TestClient, settings: Settings, body: Any) -> None:
    fin = auth(settings, "editor", dept="FIN")
    answer = catalogue.put("/catalogue/v1/annual-reports/2026/narrative?department=FIN", json=body, headers=fin)
    assert_problem(answer, 422)
    document = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN&format=html").text
    assert document.count("（本部分尚未填写。）") == 3


def test_an_unknown_format_or_department_is_422(catalogue: TestClient) -> None:
    assert_problem(catalogue.get("/catalogue/v1/annual-reports/2026?format=pdf"), 422)
    assert_problem(catalogue.get("/catalogue/v1/annual-reports/2026?format=docx&department=NOPE"), 422)
