"""Time: stored in UTC, presented in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_shanghai(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


@lru_cache(maxsize=1 << 16)  # the judge asks it of the same instants for every department
def local_date(moment: datetime) -> date:
    """The calendar date in Shanghai of an instant (what "published on" means here)."""
    return moment.astimezone(SHANGHAI).date()


def format_recorded_at(moment: datetime) -> str:
    """``2026-03-02T01:30:00.123Z``: the exact text that goes into the hash chain."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
