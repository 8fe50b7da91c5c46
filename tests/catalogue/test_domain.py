"""The disclosure record alone: its rules, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.catalogue.domain import Record
from shared.errors import InvalidState, RuleViolated

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _draft(**overrides: Any) -> Record:
    fields: dict[str, Any] = {
        "department": "FIN",
        "title": "预算公开",
        "category": "budget",
        "area": "fiscal_budget",
        "item_code": None,
        "doc_number": None,
        "formed_on": date(2026, 3, 1),
        "body": "正文",
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
        "index_number": "FIN-2026-000001",
        "drafted_by": "u1",
    }
    fields.update(overrides)
    return Record.draft(**fields)


def test_a_record_goes_from_draft_to_published_to_corrected_to_revoked() -> None:
    record = _draft()
    record.publish(at=NOW, by="u1")
    record.correct(title="预算公开（更正）", body=None, attachments=None, reason="错字", by="u1")
    record.correct(title=None, body="新正文", attachments=None, reason="补充", by="u1")
    record.revoke(reason="作废", by="office")
    assert record.status == "revoked"
    assert (record.title, record.body) == ("预算公开（更正）", "新正文")
    kinds = [type(e).__name__ for e in record.collect_events()]
    assert kinds == ["Drafted", "Published", "Corrected", "Corrected", "Revoked"]


def test_illegal_transitions_are_refused_before_anything_is_recorded() -> None:
    record = _draft()
    with pytest.raises(InvalidState):
        record.correct(title="x", body=None, attachments=None, reason="r", by="u1")
    record.publish(at=NOW, by="u1")
    with pytest.raises(InvalidState):
        record.publish(at=NOW, by="u1")
    with pytest.raises(RuleViolated):
        record.correct(title=None, body=None, attachments=None, reason="nothing", by="u1")
    record.revoke(reason="r", by="u1")
    with pytest.raises(InvalidState):
        record.revoke(reason="again", by="u1")
    assert len(record.collect_events()) == 3


def test_withheld_needs_one_of_the_legal_reasons() -> None:
    with pytest.raises(RuleViolated, match="withheld_reason"):
        _draft(disclosure="withheld")
    with pytest.raises(RuleViolated):
        _draft(disclosure="withheld", withheld_reason="inconvenient")
    record = _draft(disclosure="withheld", withheld_reason="state_secret")
    with pytest.raises(InvalidState):
        record.publish(at=NOW, by="u1")
    with pytest.raises(RuleViolated):
        _draft(withheld_reason="state_secret")  # a reason on a record that is not withheld
