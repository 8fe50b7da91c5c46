"""Every number of the law, as one immutable value built from configuration.

The rules take a ``Law`` instead of reading settings, so they stay pure and a province's
different numbers are one settings change (domain.md "Rules and numbers"). The defaults and
their legal sources are documented once, beside the settings of the same names
(``shared/settings.py``); ``Law.from_settings`` copies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Law:
    disclosure_working_days: int
    budget_disclosure_calendar_days: int
    request_reply_working_days: int
    request_extension_max_working_days: int
    clarification_notice_working_days: int
    clarification_reply_working_days: int
    consultation_pause_max_working_days: int
    emergency_release_hours: int
    press_conference_hours: int
    response_hours: int
    comment_period_min_days: int
    interpretation_sync_working_days: int
    principal_interpretations_per_year: int
    proposal_publication_working_days: int
    annual_report_department_due: str
    annual_report_city_due: str
    future_skew_seconds: int

    @classmethod
    def from_settings(cls, settings: Any) -> Law:
        """Take every field of the same name from ``settings`` (``shared.settings.Settings``)."""
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})
