"""可利用 and 可核查: exports no spreadsheet turns into formulas; copies checked against content_hash;
retries with an Idempotency-Key create once."""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from shared.settings import Settings
from tests.catalogue.builders import draft, publish, record_body
from tests.support import assert_problem, auth

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")']


def _published_dangerous(client: TestClient, settings: Settings) -> None:
    for n, title in enumerate(DANGEROUS):
        publish(client, settings, draft(client, settings, title=title, doc_number=f"某财发〔2026〕{n}号"))
    draft(client, settings, title="未发布的草稿")


def test_csv_is_utf8_with_bom_and_formula_safe(catalogue: TestClient, settings: Settings) -> None:
    _published_dangerous(catalogue, settings)
    response = catalogue.get("/catalogue/v1/records/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["索引号", "发布机构", "标题"]
    titles = sorted(row[2] for row in rows[1:])
    assert titles == sorted("'" + t for t in DANGEROUS)  # neutralised, and no draft
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_xlsx_keeps_text_as_text(catalogue: TestClient, settings: Settings) -> None:
    _published_dangerous(catalogue, settings)
    response = catalogue.get("/catalogue/v1/records/export", params={"format": "xlsx", "department": "FIN"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(DANGEROUS)  # exactly the text...
    assert {c.data_type for c in cells} == {"s"}  # ...stored as strings, never formulas


def test_export_rejects_unknown_formats(catalogue: TestClient) -> None:
    assert_problem(catalogue.get("/catalogue/v1/records/export?format=pdf"), 422)
    assert_problem(catalogue.get("/catalogue/v1/records/export?format=../../etc/passwd"), 422)


def test_a_downloaded_copy_is_checked_against_the_record(catalogue: TestClient, settings: Settings) -> None:
    record = publish(catalogue, settings, draft(catalogue, settings))
    copy: dict[str, Any] = catalogue.get(f"/catalogue/v1/records/{record['id']}/content").json()
    ok = catalogue.post(f"/catalogue/v1/records/{record['id']}/check-copy", json=copy).json()
    assert ok["matches"] is True
    assert ok["computed_hash"] == record["content_hash"]
    tampered = catalogue.post(
        f"/catalogue/v1/records/{record['id']}/check-copy", json={**copy, "body": copy["body"] + "。"}
    ).json()
    assert tampered["matches"] is False


def test_the_same_idempotency_key_creates_once(catalogue: TestClient, settings: Settings) -> None:
    headers = {**auth(settings, "editor", dept="FIN"), "Idempotency-Key": "create-budget-notice-1"}
    first = catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers)
    again = catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.headers["location"] == again.headers["location"]
    other_body = catalogue.post("/catalogue/v1/records", json=record_body(title="另一个标题"), headers=headers)
    assert_problem(other_body, 422, "idempotency_key_reused")
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def test_concurrent_retries_with_one_key_record_one_event(catalogue: TestClient, settings: Settings) -> None:
    headers = {**auth(settings, "editor", dept="FIN"), "Idempotency-Key": "concurrent-key"}
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def test_bad_idempotency_keys_are_422(catalogue: TestClient, settings: Settings) -> None:
    for key in ("", "x" * 201, "含中文".encode().decode("latin-1")):
        headers = {**auth(settings, "editor", dept="FIN"), "Idempotency-Key": key.encode("latin-1")}
        assert_problem(catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers), 422)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 0


def test_exports_are_bounded_in_concurrency_and_per_client(catalogue: TestClient, settings: Settings) -> None:
    from shared.export import ExportGate

    publish(catalogue, settings, draft(catalogue, settings))
    gate = catalogue.app.state.export_gate = ExportGate(1)  # type: ignore[attr-defined]
    with gate.slot():  # another export is being prepared
        busy = catalogue.get("/catalogue/v1/records/export?format=xlsx")
        assert_problem(busy, 429, "rate_limited")
        assert busy.headers["retry-after"] == "5"
    statuses = [catalogue.get("/catalogue/v1/records/export").status_code for _ in range(settings.export_per_minute)]
    assert statuses.count(200) == settings.export_per_minute - 1  # the one refused above counted too
    assert_problem(catalogue.get("/catalogue/v1/records/export"), 429, "rate_limited")
