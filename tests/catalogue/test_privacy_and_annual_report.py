"""No personal data leaves through public routes, exports, logs or the platform feed; the annual
report matches an independent count, and table 3 balances with carry-overs both ways."""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.test_requests import request_body
from tests.support import auth

NAME, CONTACT = "王小明", "wangxm@example.com 13700001111"


def test_personal_data_never_leaves_to_the_public_or_platforms(
    catalogue: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = request_body(applicant={"type": "natural_person", "name": NAME, "contact": CONTACT})
    fin = auth(settings, "editor", dept="FIN")
    request = catalogue.post("/catalogue/v1/requests", json=body, headers=fin).json()
    assert request["applicant"] == {
        "type": "natural_person",
        "name": NAME,
        "contact": CONTACT,
    }  # the department sees it
    catalogue.post(
        f"/catalogue/v1/requests/{request['id']}/replied", json={"on": "2026-10-20", "outcome": "granted"}, headers=fin
    )
    outward = [
        catalogue.get(f"/catalogue/v1/requests/status/{request['query_code']}"),
        catalogue.get(f"/catalogue/v1/requests/{request['id']}"),
        catalogue.get(f"/catalogue/v1/requests/{request['id']}", headers=auth(settings, "editor", dept="EDU")),
        catalogue.get("/catalogue/v1/annual-reports/2026"),
        catalogue.get("/catalogue/v1/annual-reports/2026?format=csv"),
        catalogue.get("/catalogue/v1/annual-reports/2026?format=xlsx&department=FIN"),
        catalogue.get("/catalogue/v1/events", headers=auth(settings, "platform")),
        catalogue.get("/catalogue/v1/records/export"),
    ]
    for response in outward:
        for secret in (NAME, "13700001111", "wangxm@example.com"):
            assert secret.encode() not in response.content, response.request.url
    status = outward[0].json()
    assert set(status) == {"query_code", "status", "received_on", "due_on"}
    feed_item = outward[6].json()["items"][0]
    assert feed_item["redacted"] is True
    assert feed_item["data"]["applicant_name"] == "***"
    auditor_item = catalogue.get("/catalogue/v1/events", headers=auth(settings, "auditor")).json()["items"][0]
    assert auditor_item["data"]["applicant_name"] == NAME  # auditors see everything
    office = catalogue.get(f"/catalogue/v1/requests/{request['id']}", headers=auth(settings, "office")).json()
    assert office["applicant"]["name"] == NAME
    assert NAME not in caplog.text
    assert "13700001111" not in caplog.text


def test_a_wrong_query_code_is_404(catalogue: TestClient) -> None:
    assert catalogue.get("/catalogue/v1/requests/status/ABCDEFGHJKLM").status_code == 404
    assert catalogue.get("/catalogue/v1/requests/status/abc'--").status_code in (404, 422)


TYPES = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other"]
OUTCOMES = [
    ("granted", None),
    ("partially_granted", None),
    ("refused", "state_secret"),
    ("unable_to_provide", "not_held"),
    ("not_processed", "duplicate"),
    ("other", "other"),
]


def test_the_annual_report_matches_an_independent_count(catalogue: TestClient, settings: Settings) -> None:
    rng = random.Random(2026)
    fin = auth(settings, "editor", dept="FIN")
    # The report of 2026 is drawn up in 2027, when every generated fact lies in the past.
    catalogue.app.state.application.clock = lambda: datetime(2027, 6, 1, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    generated: list[dict[str, Any]] = []
    for n in range(40):
        received = date(2025, 11, 1) + timedelta(days=rng.randrange(0, 480))  # 2025-11 .. 2027-02
        kind = rng.choice(TYPES)
        reply = None
        if rng.random() < 0.75:
            reply = (received + timedelta(days=rng.randrange(0, 60)), *rng.choice(OUTCOMES))
        body = request_body(
            applicant={"type": kind, "name": f"申请人{n}", "contact": "x"}, received_on=received.isoformat()
        )
        request = catalogue.post("/catalogue/v1/requests", json=body, headers=fin).json()
        if reply is not None:
            on, outcome, reason = reply
            answered = catalogue.post(
                f"/catalogue/v1/requests/{request['id']}/replied",
                json={"on": on.isoformat(), "outcome": outcome, "reason": reason},
                headers=fin,
            )
            assert answered.status_code == 200, answered.text
        generated.append({"type": kind, "received": received, "reply": reply})

    start, end = date(2026, 1, 1), date(2026, 12, 31)
    expected: dict[str, Counter[str]] = {
        k: Counter() for k in ("new", "carried_over_from_last_year", "outcome_total", "carried_over_to_next_year")
    }
    outcomes: Counter[str] = Counter()
    for g in generated:
        replied_on = g["reply"][0] if g["reply"] else None
        if g["received"] > end or (replied_on is not None and replied_on < start):
            continue
        expected["new" if g["received"] >= start else "carried_over_from_last_year"][g["type"]] += 1
        if replied_on is not None and replied_on <= end:
            expected["outcome_total"][g["type"]] += 1
            _, outcome, reason = g["reply"]
            outcomes[outcome if reason is None else f"{outcome}.{reason}"] += 1
        else:
            expected["carried_over_to_next_year"][g["type"]] += 1

    report = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()
    rows = report["table3"]["rows"]
    for line, counts in expected.items():
        assert {t: rows[line][t] for t in TYPES} == {t: counts[t] for t in TYPES}, line
        assert rows[line]["total"] == sum(counts.values())
    for line, count in outcomes.items():
        assert rows[f"outcome.{line}"]["total"] == count
    # carry-overs in both directions exist in this generated year, and the table balances
    assert rows["carried_over_from_last_year"]["total"] > 0
    assert rows["carried_over_to_next_year"]["total"] > 0
    assert report["table3_balanced"] is True
    for t in [*TYPES, "total"]:
        assert (
            rows["new"][t] + rows["carried_over_from_last_year"][t]
            == rows["outcome_total"][t] + rows["carried_over_to_next_year"][t]
        )


def test_table_2_counts_regulations_and_entered_figures(catalogue: TestClient, settings: Settings) -> None:
    from tests.catalogue.builders import draft, publish

    regulation = publish(catalogue, settings, draft(catalogue, settings, category="regulation", title="规章"))
    publish(catalogue, settings, draft(catalogue, settings, category="normative_document", title="规范性文件"))
    catalogue.post(
        f"/catalogue/v1/records/{regulation['id']}/revoke", json={"reason": "废止"}, headers=auth(settings, "office")
    )
    fin = auth(settings, "editor", dept="FIN")
    figures = {"department": "FIN", "licensing": 120, "penalty": 8, "enforcement": 2, "fees_10k_yuan": 35.5}
    assert catalogue.put("/catalogue/v1/annual-reports/2026/figures", json=figures, headers=fin).status_code == 200
    assert (
        catalogue.put("/catalogue/v1/annual-reports/2026/figures", json={**figures, "penalty": 9}, headers=fin).json()[
            "version"
        ]
        == 3
    )
    edu = auth(settings, "editor", dept="EDU")
    assert catalogue.put("/catalogue/v1/annual-reports/2026/figures", json=figures, headers=edu).status_code == 403
    year = date.today().year
    table2 = catalogue.get(f"/catalogue/v1/annual-reports/{year}?department=FIN").json()["table2"]
    assert table2["regulations"] == {"issued": 1, "abolished": 1, "in_force": 0}
    assert table2["normative_documents"] == {"issued": 1, "abolished": 0, "in_force": 1}
    t2026 = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["table2"]
    assert (t2026["licensing"], t2026["penalty"], t2026["fees_10k_yuan"]) == (120, 9, 35.5)
    city = catalogue.get("/catalogue/v1/annual-reports/2026").json()
    assert city["department"] is None
    assert city["table2"]["licensing"] == 120
    csv_text = catalogue.get("/catalogue/v1/annual-reports/2026?format=csv").content.decode("utf-8-sig")
    assert "表三" in csv_text
    assert "carried_over_to_next_year" in csv_text
