"""What each fact counts for: the rules of a scheme applied to one fact at a time.

The judge (``services.assessment.scoring``: all the facts of a department) and the tallies
(``services.assessment.tallies``: only the facts that changed) both count with ``Counting``, so
each rule of the default scheme (api.md "Default scheme") is applied in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from services.assessment.world import IncidentFact, InterpretationFact, ItemFact, ProposalFact, RecordFact, RequestFact
from shared.rules.disclosure import disclosure_due, disclosure_limit, disclosure_status
from shared.rules.interpretation import sync_status
from shared.rules.law import Law
from shared.rules.proposals import reply_publication_due, reply_publication_status
from shared.rules.requests import RequestClock
from shared.rules.time import Calendar, Status, undone_at
from shared.timeutil import local_date

Explained = Callable[[], dict[str, Any]]  # a violation, made only when it is shown


@dataclass(frozen=True)
class Scheme:
    weights: dict[str, float]
    deductions: dict[str, float]
    disclosure_working_days: int
    proposal_publication_working_days: int
    interpretation_sync_working_days: int
    principal_interpretations_required: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "deductions": self.deductions,
            "thresholds": {
                "disclosure_working_days": self.disclosure_working_days,
                "proposal_publication_working_days": self.proposal_publication_working_days,
                "interpretation_sync_working_days": self.interpretation_sync_working_days,
                "principal_interpretations_required": self.principal_interpretations_required,
            },
        }


@dataclass(frozen=True)
class Rules:
    """What the scheme does not change: the calendar and the law's numbers."""

    calendar: Calendar
    law: Law


def violation(kind: str, service: str, ref_id: str, *detail: object) -> Explained:
    """A violation, made only when it is shown: the parts of its ``detail`` are joined then."""
    return partial(_made, kind, service, ref_id, detail)


def _made(kind: str, service: str, ref_id: str, detail: tuple[object, ...]) -> dict[str, Any]:
    text = "".join(part.isoformat() if isinstance(part, datetime) else str(part) for part in detail)
    return {"kind": kind, "service": service, "ref_id": ref_id, "detail": text}


@dataclass(frozen=True, slots=True)
class Count:
    """One judged deadline (or quota unit) of one fact: the year and department it counts for,
    its status at the instant judged, and how a miss is explained."""

    year: int
    department: str
    indicator: str
    status: Status | None  # None: no clock runs (a request awaiting the applicant's clarification)
    violation: Explained | None = None
    moving: bool = False  # its deadline still moves with time (a request in consultation)
    due: date | datetime | None = None  # the deadline a pending count is judged against

    def later(self, as_of: datetime) -> Status | None:
        """Its status at a later ``as_of`` while no new fact about it arrives (a deadline that
        does not move): a pending count becomes missed once its deadline has passed."""
        if self.status != "pending":
            return self.status
        assert self.due is not None, "a pending count names its deadline"
        assert not self.moving, "a moving deadline is judged again, not carried forward"
        return undone_at(self.due, as_of)

    @property
    def final(self) -> bool:
        """It stays what it is at every later instant until a new fact about it arrives: judged
        deadlines never come back (``shared.rules.time.judge`` is monotone in ``now``)."""
        return self.status != "pending" and not self.moving


class Counting:
    """A scheme's rules applied to one fact at a time: what each fact counts for, judged at an
    instant. The judge (all the facts of a department) and the tallies (only the facts that
    changed, ``services.assessment.tallies``) both count with these, so each rule is applied in
    one place."""

    def __init__(self, scheme: Scheme, rules: Rules) -> None:
        self.scheme, self.rules = scheme, rules
        # What the counts depend on besides the facts: a tally is kept per key.
        self.key = (
            scheme.disclosure_working_days,
            scheme.proposal_publication_working_days,
            scheme.interpretation_sync_working_days,
            rules.law,
            rules.calendar.fingerprint,
        )

    def record(
        self, rid: str, r: RecordFact, interpretations: list[datetime], as_of: datetime, year: int | None = None
    ) -> Iterator[Count]:
        """Its disclosure (rule 1) and, for a published policy, its interpretation's sync (rule
        11); ``interpretations``: when its counted interpretations were published; ``year``: only
        the counts of that year."""
        if r.disclosure == "proactive" and not r.revoked_unpublished and year in (None, r.formed_on.year):
            limit = disclosure_limit(
                r.category, r.time_limit, self.rules.law, default_working_days=self.scheme.disclosure_working_days
            )
            due = disclosure_due(r.formed_on, limit, self.rules.calendar)
            if r.published_at is not None:
                published_on = local_date(r.published_at)
                miss = violation("late_disclosure", "catalogue", rid, "published ", published_on, ", due ", due.due_on)
            else:
                miss = violation("unpublished_past_due", "catalogue", rid, "due ", due.due_on, ", not published")
            status = disclosure_status(due, r.published_at, as_of)
            yield Count(r.formed_on.year, r.department, "disclosure_timeliness", status, miss, due=due.due_on)
        if not r.needs_interpretation or r.published_at is None:
            return
        published_year = local_date(r.published_at).year
        if year not in (None, published_year):
            return
        days = self.scheme.interpretation_sync_working_days
        sync = sync_status(
            r.published_at, interpretations, as_of, self.rules.calendar, self.rules.law, working_days=days
        )
        if sync.lag_working_days is not None:
            lag = sync.lag_working_days
            miss = violation("late_interpretation", "interpretation", rid, lag, " working days after the policy")
        else:
            miss = violation("missing_interpretation", "interpretation", rid, "none within ", days, " working days")
        yield Count(published_year, r.department, "interpretation_sync", sync.status, miss, due=sync.window.due_on)

    def proposal(self, pid: str, p: ProposalFact, as_of: datetime) -> Iterator[Count]:
        """Rule 13: the reply published in time."""
        days = self.scheme.proposal_publication_working_days
        due = reply_publication_due(p.replied_on, self.rules.calendar, self.rules.law, working_days=days)
        if p.published_at is not None:
            published_on = local_date(p.published_at)
            miss = violation(
                "late_reply_publication", "catalogue", pid, "published ", published_on, ", due ", due.due_on
            )
        else:
            miss = violation("reply_unpublished_past_due", "catalogue", pid, "due ", due.due_on, ", not published")
        status = reply_publication_status(due, p.published_at, as_of)
        yield Count(p.replied_on.year, p.department, "proposal_replies", status, miss, due=due.due_on)

    def request(self, rid: str, request: RequestFact, as_of: datetime) -> Iterator[Count]:
        """Rules 2-5: the reply in time (its deadline is worked out again only to explain a miss)."""
        clock, calendar, law = request.clock, self.rules.calendar, self.rules.law
        today = local_date(as_of)
        status, due_on = clock.judged_at(calendar, law, today)
        miss = partial(_late_reply, rid, clock, calendar, law, today)
        due = due_on if status == "pending" else None
        yield Count(
            clock.received_on.year, request.department, "request_timeliness", status, miss, clock.due_moves, due
        )

    def incident(self, iid: str, incident: IncidentFact, as_of: datetime) -> Iterator[Count]:
        """Rules 8-9: each response deadline, counted for the lead department."""
        if incident.lead_department is None:
            return
        year = local_date(incident.clock.detected_at).year
        for d in incident.clock.deadlines(self.rules.law):
            miss = violation(f"missed_{d.kind}", "opinion", iid, "due ", d.due_at)
            yield Count(year, incident.lead_department, "opinion_timeliness", d.status(as_of), miss, due=d.due_at)

    def interpretation(self, i: InterpretationFact) -> Iterator[Count]:
        """Rule 12: a principal's published interpretation counts towards the yearly quota."""
        if i.principal and not i.withdrawn and i.published_at is not None:
            yield Count(local_date(i.published_at).year, i.department, "principal_interpretations", "met")


def _late_reply(rid: str, clock: RequestClock, calendar: Calendar, law: Law, today: date) -> dict[str, Any]:
    due_on = clock.due_on(calendar, law, today)
    if clock.replied_on is not None:
        return _made("late_reply", "catalogue", rid, ("replied ", clock.replied_on, ", due ", due_on))
    return _made("unreplied_past_due", "catalogue", rid, ("due ", due_on))


def counted_interpretation(i: InterpretationFact) -> datetime | None:
    """When an interpretation was published, if it counts for its policy (not withdrawn)."""
    return None if i.withdrawn else i.published_at


def covered_item(r: RecordFact) -> tuple[int, str] | None:
    """(year, item code) a record covers: a record published under a catalogue item covers it in
    the year of publication (api.md "catalogue_coverage")."""
    if r.item_code and r.published_at is not None:
        return local_date(r.published_at).year, r.item_code
    return None


def counted_item(item: ItemFact) -> bool:
    return not item.retired
