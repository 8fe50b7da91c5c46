"""Policy interpretation (政策解读): 三同步 and the principal interpreter (rules 11-12)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.rules.law import Law
from shared.rules.time import Calendar, Due, Status, TimeLimit, due_after, judge
from shared.timeutil import local_date


def lag_working_days(calendar: Calendar, policy_published_at: datetime, published_at: datetime) -> int:
    """Working days after the policy's publication day; with or before the policy counts as 0."""
    return calendar.working_days_between(local_date(policy_published_at), local_date(published_at))


def sync_window(policy_published_at: datetime, calendar: Calendar, law: Law, *, working_days: int | None = None) -> Due:
    """Rule 11 (国办发〔2016〕80号, city rule): released together with the policy, at the latest
    ``interpretation_sync_working_days`` working days after it (a year's scheme may set another)."""
    days = law.interpretation_sync_working_days if working_days is None else working_days
    return due_after(local_date(policy_published_at), TimeLimit(days), calendar)


@dataclass(frozen=True)
class Sync:
    status: Status
    lag_working_days: int | None  # the smallest lag of the published interpretations
    window: Due


def sync_status(
    policy_published_at: datetime,
    interpretations_published_at: Iterable[datetime],
    as_of: datetime,
    calendar: Calendar,
    law: Law,
    *,
    working_days: int | None = None,
) -> Sync:
    """api.md "interpretation_sync": met when an interpretation came within the window, missed
    when the first came later or none came before the window closed, pending otherwise."""
    window = sync_window(policy_published_at, calendar, law, working_days=working_days)
    lags = [lag_working_days(calendar, policy_published_at, at) for at in interpretations_published_at]
    lag = min(lags) if lags else None
    limit = window.limit.days
    if lag is not None:
        return Sync("met" if lag <= limit else "missed", lag, window)
    return Sync(judge(None, window.due_on, local_date(as_of)), None, window)


def in_sync(lag: int | None, law: Law) -> bool | None:
    """The ``in_sync`` a published interpretation shows (null until both are published)."""
    return None if lag is None else lag <= law.interpretation_sync_working_days


def principal_quota_met(published: int, law: Law, *, required: int | None = None) -> bool:
    """Rule 12 (seed item 11): each head gives at least 3 interpretations a year."""
    return published >= (law.principal_interpretations_per_year if required is None else required)
