"""Every number of the law, as one immutable value built from configuration.

The rules take a ``Law`` (or the part they need) instead of reading settings, so they stay
pure and a province's different numbers are one settings change (domain.md "Rules and numbers").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Law:
    disclosure_working_days: int = 20  # rule 1, 条例 第26条
    budget_disclosure_calendar_days: int = 20  # rule 1 refinement, 预算法 第十四条
    request_reply_working_days: int = 20  # rule 2, 条例 第33条
    request_extension_max_working_days: int = 20  # rule 2
    clarification_notice_working_days: int = 7  # rule 3, 条例 第30条
    clarification_reply_working_days: int = 15  # rule 3 refinement: default 补正期限
    consultation_pause_max_working_days: int = 15  # rule 4, 条例 第32、34条
    emergency_release_hours: int = 5  # rule 8, 国办发〔2016〕80号
    press_conference_hours: int = 24  # rule 8
    response_hours: int = 48  # rule 9, 国办发〔2016〕61号
    comment_period_min_days: int = 30  # rule 10, 重大行政决策程序暂行条例 第15条
    interpretation_sync_working_days: int = 3  # rule 11
    principal_interpretations_per_year: int = 3  # rule 12
    proposal_publication_working_days: int = 20  # rule 13
    annual_report_department_due: str = "01-31"  # rule 7, 条例 第49条: month-day of the next year
    annual_report_city_due: str = "03-31"  # rule 7
    future_skew_seconds: int = 300  # api.md "dates in the future": a platform clock may run 5 minutes ahead

    @classmethod
    def from_settings(cls, settings: Any) -> Law:
        """Take every field of the same name from ``settings`` (``shared.settings.Settings``)."""
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})
