"""The statutory annual report (政府信息公开工作年度报告, 2021 format): tables 2, 3 and 4.

Everything is counted from read models derived from events, by the dates the facts carry
(``received_on``, ``replied_on``, an appeal's ``on``, a record's publication and revocation).
Table 3 balances by construction: 新收 + 上年结转 = 办理结果总计 + 结转下年.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from services.catalogue.read_models import (
    annual_figures,
    annual_report,
    record,
    request,
    request_appeal,
    request_appeal_result,
)
from shared.rules.annual_report import annual_report_due_on, annual_report_status
from shared.rules.law import Law
from shared.rules.requests import appeal_result_as_of
from shared.rules.time import on_time
from shared.rules.vocabulary import APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES, OUTCOME_REASONS
from shared.timeutil import SHANGHAI, to_shanghai

COLUMNS = (*APPLICANT_TYPES, "total")
FIGURES = ("licensing", "penalty", "enforcement", "fees_10k_yuan")


def _instant(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), SHANGHAI).astimezone(UTC)


def report(session: Session, *, year: int, department: str | None, law: Law, as_of: datetime) -> dict[str, Any]:
    table3 = _table3(session, year, department)
    return {
        **publication(session, year=year, department=department, law=law, as_of=as_of),
        "table2": _table2(session, year, department),
        "table3": table3,
        "table4": _table4(session, year, department),
        "table3_balanced": table3["balanced"],
    }


def publication(session: Session, *, year: int, department: str | None, law: Law, as_of: datetime) -> dict[str, Any]:
    """Rule 7: when the report is due, when it was published, and whether that was on time."""
    scope = annual_report.c.department.is_(None) if department is None else annual_report.c.department == department
    published_at = session.execute(
        select(annual_report.c.published_at).where(annual_report.c.year == year, scope)
    ).scalar()
    due_on = annual_report_due_on(year, department, law)
    return {
        "year": year,
        "department": department,
        "due_on": due_on,
        "published_at": published_at and to_shanghai(published_at),
        "on_time": on_time(annual_report_status(due_on, published_at, as_of)),
    }


def _scoped(query: Select[Any], column: Any, department: str | None) -> Select[Any]:
    return query if department is None else query.where(column == department)


def _table2(session: Session, year: int, department: str | None) -> dict[str, Any]:
    start, end = _instant(date(year, 1, 1)), _instant(date(year + 1, 1, 1))
    result: dict[str, Any] = {}
    for key, category in (("regulations", "regulation"), ("normative_documents", "normative_document")):
        rows = session.execute(
            _scoped(select(record.c.published_at, record.c.revoked_at), record.c.department, department).where(
                record.c.category == category, record.c.published_at.is_not(None)
            )
        ).all()
        result[key] = {
            "issued": sum(1 for r in rows if start <= r.published_at < end),
            "abolished": sum(1 for r in rows if r.revoked_at is not None and start <= r.revoked_at < end),
            "in_force": sum(1 for r in rows if r.published_at < end and (r.revoked_at is None or r.revoked_at >= end)),
        }
    sheets = session.execute(
        _scoped(select(annual_figures.c.figures), annual_figures.c.department, department).where(
            annual_figures.c.year == year
        )
    ).scalars()
    totals = Counter[str]()
    for figures in sheets:
        for name in FIGURES:
            totals[name] += figures.get(name) or 0
    result.update({name: totals[name] for name in FIGURES})
    return result


def _table3(session: Session, year: int, department: str | None) -> dict[str, Any]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    base = _scoped(
        select(
            request.c.applicant_type,
            request.c.outcome,
            request.c.outcome_reason,
            request.c.received_on,
            request.c.replied_on,
        ),
        request.c.department,
        department,
    )
    rows = session.execute(
        base.where(request.c.received_on <= end, or_(request.c.replied_on.is_(None), request.c.replied_on >= start))
    ).all()
    lines: dict[str, Counter[str]] = {}

    def count(line: str, applicant_type: str) -> None:
        counter = lines.setdefault(line, Counter())
        counter[applicant_type] += 1
        counter["total"] += 1

    for row in rows:
        if row.received_on >= start:
            count("new", row.applicant_type)
        else:
            count("carried_over_from_last_year", row.applicant_type)
        if row.replied_on is not None and row.replied_on <= end:
            line = row.outcome if row.outcome_reason is None else f"{row.outcome}.{row.outcome_reason}"
            count(f"outcome.{line}", row.applicant_type)
            count("outcome_total", row.applicant_type)
        else:
            count("carried_over_to_next_year", row.applicant_type)
    keys = ["new", "carried_over_from_last_year", *_outcome_lines(), "outcome_total", "carried_over_to_next_year"]
    table = {key: {c: lines.get(key, Counter())[c] for c in COLUMNS} for key in keys}
    balanced = all(
        table["new"][c] + table["carried_over_from_last_year"][c]
        == table["outcome_total"][c] + table["carried_over_to_next_year"][c]
        for c in COLUMNS
    )
    return {"columns": list(COLUMNS), "rows": table, "balanced": balanced}


def _outcome_lines() -> list[str]:
    lines = []
    for outcome, reasons in OUTCOME_REASONS.items():
        lines.extend([f"outcome.{outcome}.{r}" for r in reasons] if reasons else [f"outcome.{outcome}"])
    return lines


def _table4(session: Session, year: int, department: str | None) -> dict[str, dict[str, int]]:
    """Appeals filed in ``year``, each counted once under its latest result as of the year's end."""
    year_end = date(year, 12, 31)
    appeals = session.execute(
        _scoped(select(request_appeal), request_appeal.c.department, department).where(
            and_(request_appeal.c.on >= date(year, 1, 1), request_appeal.c.on <= year_end)
        )
    ).all()
    later: dict[tuple[str, int], list[tuple[date, str]]] = {}
    requests = sorted({a.request_id for a in appeals})
    for start in range(0, len(requests), 5000):  # bounded statements, however many appeals a year has
        for r in session.execute(
            select(request_appeal_result).where(
                request_appeal_result.c.request_id.in_(requests[start : start + 5000]),
                request_appeal_result.c.on <= year_end,
            )
        ).all():
            later.setdefault((r.request_id, r.appeal_version), []).append((r.on, r.result))
    table = {kind: dict.fromkeys((*APPEAL_RESULTS, "total"), 0) for kind in APPEAL_KINDS}
    for a in appeals:
        result = appeal_result_as_of([(a.on, a.result), *later.get((a.request_id, a.version), [])], year_end)
        if result is None:
            continue
        table[a.kind][result] += 1
        table[a.kind]["total"] += 1
    return table


def flat_rows(report_: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report as one table for CSV/XLSX: section, line, then a value per column."""
    header = ["表", "项目", *COLUMNS]
    rows: list[list[Any]] = []
    for key, value in report_["table2"].items():
        if isinstance(value, dict):
            rows.extend(["表二", f"{key}.{k}", v] for k, v in value.items())
        else:
            rows.append(["表二", key, value])
    for key, values in report_["table3"]["rows"].items():
        rows.append(["表三", key, *[values[c] for c in COLUMNS]])
    for kind, results in report_["table4"].items():
        rows.extend(["表四", f"{kind}.{r}", n] for r, n in results.items())
    return header, rows
