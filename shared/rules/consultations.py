"""Draft decisions open for comment (重大决策预公开), rule 10."""

from __future__ import annotations

from datetime import date

from shared.errors import RuleViolated
from shared.rules.law import Law


def check_comment_period(opens_on: date, closes_on: date, shortened_reason: str | None, law: Law) -> None:
    """重大行政决策程序暂行条例 第15条: at least 30 days for comment, unless the draft says why not."""
    if closes_on <= opens_on:
        raise RuleViolated("closes_on must be after opens_on", code="window_inverted")
    if (closes_on - opens_on).days < law.comment_period_min_days and not shortened_reason:
        raise RuleViolated(
            f"the comment period is at least {law.comment_period_min_days} days unless shortened_reason says why",
            code="comment_period_too_short",
        )


def open_for_comment(opens_on: date, closes_on: date, result_published: bool, today: date) -> bool:
    """Comments are taken from the first to the last day of the period, until the result is out."""
    return opens_on <= today <= closes_on and not result_published
