"""Per-department scores (api.md "Default scheme"), judged over a World at an instant.

Every point is explained: each indicator carries its numerator, denominator, rate, points and
the violations (with the service and id they came from) that cost it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any

from services.assessment.world import World
from shared.rules.disclosure import disclosure_due, disclosure_limit, disclosure_status
from shared.rules.interpretation import sync_status
from shared.rules.law import Law
from shared.rules.opinion import EMERGENCY_DEADLINES
from shared.rules.proposals import reply_publication_due, reply_publication_status
from shared.rules.time import Calendar, Status
from shared.rules.vocabulary import INDICATORS
from shared.timeutil import local_date

Explained = Callable[[], dict[str, Any]]  # a violation, made only when it is shown

DEFAULT_WEIGHTS = {
    "disclosure_timeliness": 20,
    "catalogue_coverage": 10,
    "proposal_replies": 10,
    "interpretation_sync": 15,
    "principal_interpretations": 10,
    "opinion_timeliness": 20,
    "request_timeliness": 15,
}
DEFAULT_DEDUCTIONS = {"circulated_criticism": 5.0, "rectification_interview": 3.0}


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


@dataclass(frozen=True)
class ActionFact:
    department: str
    kind: str
    issued_on: date


@dataclass
class Indicator:
    weight: float
    numerator: float = 0
    denominator: float = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    capped: bool = False  # rate = min(1, numerator / denominator)
    explain: bool = True  # collect the violations (a league needs only the rates)

    @property
    def rate(self) -> float | None:
        if self.denominator == 0:
            return None
        rate = self.numerator / self.denominator
        return min(1.0, rate) if self.capped else rate

    def hit(self, ok: bool, violation: Explained | None = None) -> None:
        """One more counted; a miss is explained (``violation()``) only when explanations are wanted."""
        self.denominator += 1
        if ok:
            self.numerator += 1
        elif violation is not None and self.explain:
            self.violations.append(violation())

    def judge(self, status: Status | None, violation: Explained | None) -> None:
        """A met or missed deadline counts; a pending one (or one with no clock) does not yet."""
        if status in ("met", "missed"):
            self.hit(status == "met", violation)

    def as_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "weight": self.weight,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if rate is None else round(rate, 4),
            "points": None if rate is None else round(self.weight * rate, 2),
            "violations": self.violations,
        }


def _violation(kind: str, service: str, ref_id: str, *detail: object) -> Explained:
    """A violation, made only when it is shown: the parts of its ``detail`` are joined then."""
    return partial(_made, kind, service, ref_id, detail)


def _made(kind: str, service: str, ref_id: str, detail: tuple[object, ...]) -> dict[str, Any]:
    text = "".join(part.isoformat() if isinstance(part, datetime) else str(part) for part in detail)
    return {"kind": kind, "service": service, "ref_id": ref_id, "detail": text}


def _group_by_department(world: World) -> dict[str, dict[str, list[tuple[str, Any]]]]:
    index: dict[str, dict[str, list[tuple[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for kind, entities, owner in (
        ("records", world.records, "department"),
        ("items", world.items, "department"),
        ("proposals", world.proposals, "department"),
        ("requests", world.requests, "department"),
        ("interpretations", world.interpretations, "department"),
        ("incidents", world.incidents, "lead_department"),
    ):
        for key, entity in entities.items():
            index[getattr(entity, owner) or ""][kind].append((key, entity))
    return index


class Judge:
    def __init__(self, world: World, scheme: Scheme, rules: Rules, year: int, as_of: datetime) -> None:
        self.world, self.scheme, self.rules, self.year = world, scheme, rules, year
        self.as_of = as_of
        self.today = local_date(as_of)

    @cached_property
    def _by_department(self) -> dict[str, dict[str, list[tuple[str, Any]]]]:
        """Each kind of fact grouped by the department it counts for, built once per world
        version (a league asks about every department: one pass instead of one per department)."""
        index: dict[str, dict[str, list[tuple[str, Any]]]] = self.world.grouped(_group_by_department)
        return index

    def _of(self, department: str, kind: str) -> list[tuple[str, Any]]:
        return self._by_department.get(department, {}).get(kind, [])

    @cached_property
    def _covered_items(self) -> set[str]:
        return {
            r.item_code
            for r in self.world.records.values()
            if r.item_code and r.published_at is not None and local_date(r.published_at).year == self.year
        }

    @cached_property
    def _interpretations_of(self) -> dict[str, list[datetime]]:
        """Per policy record: when its published, not withdrawn interpretations were published."""
        published: dict[str, list[datetime]] = defaultdict(list)
        for interp in self.world.interpretations.values():
            if interp.published_at is not None and not interp.withdrawn:
                published[interp.policy_record_id].append(interp.published_at)
        return published

    def department(self, department: str, actions: Iterable[ActionFact], *, explain: bool = True) -> dict[str, Any]:
        """The department's score; ``explain``: with every violation behind it (a league leaves
        them out: building explanations nobody reads was a large part of its time)."""
        indicators = {name: Indicator(float(self.scheme.weights.get(name, 0)), explain=explain) for name in INDICATORS}
        self._disclosure(department, indicators["disclosure_timeliness"])
        self._coverage(department, indicators["catalogue_coverage"])
        self._proposals(department, indicators["proposal_replies"])
        self._sync(department, indicators["interpretation_sync"])
        self._principal(department, indicators["principal_interpretations"])
        self._opinion(department, indicators["opinion_timeliness"])
        self._requests(department, indicators["request_timeliness"])
        deductions = self._deductions(department, actions)
        applicable = [i for i in indicators.values() if i.rate is not None and i.weight > 0]
        total_weight = sum(i.weight for i in applicable)
        base = 100 * sum(i.weight * (i.rate or 0) for i in applicable) / total_weight if total_weight else 100.0
        score = round(max(0.0, base - deductions["points"]), 2)
        return {
            "department": department,
            "year": self.year,
            "as_of": self.as_of,
            "indicators": {name: i.as_dict() for name, i in indicators.items()},
            "deductions": deductions,
            "score": score,
        }

    # --- the seven indicators ---------------------------------------------------------------------

    def _disclosure(self, dept: str, ind: Indicator) -> None:
        calendar, law = self.rules.calendar, self.rules.law
        for rid, r in self._of(dept, "records"):
            if (
                r.department != dept
                or r.disclosure != "proactive"
                or r.formed_on.year != self.year
                or r.revoked_unpublished
            ):
                continue
            limit = disclosure_limit(
                r.category, r.time_limit, law, default_working_days=self.scheme.disclosure_working_days
            )
            due = disclosure_due(r.formed_on, limit, calendar)
            status = disclosure_status(due, r.published_at, self.as_of)
            if r.published_at is not None:
                published_on = local_date(r.published_at)
                ind.judge(
                    status,
                    _violation("late_disclosure", "catalogue", rid, "published ", published_on, ", due ", due.due_on),
                )
            else:
                ind.judge(
                    status, _violation("unpublished_past_due", "catalogue", rid, "due ", due.due_on, ", not published")
                )

    def _coverage(self, dept: str, ind: Indicator) -> None:
        for _, item in self._of(dept, "items"):
            if item.department == dept and not item.retired:
                ok = item.code in self._covered_items
                ind.hit(
                    ok, _violation("item_without_record", "catalogue", item.code, "no record published in ", self.year)
                )

    def _proposals(self, dept: str, ind: Indicator) -> None:
        days = self.scheme.proposal_publication_working_days
        for pid, p in self._of(dept, "proposals"):
            if p.department != dept or p.replied_on.year != self.year:
                continue
            due = reply_publication_due(p.replied_on, self.rules.calendar, self.rules.law, working_days=days)
            status = reply_publication_status(due, p.published_at, self.as_of)
            if p.published_at is not None:
                published_on = local_date(p.published_at)
                ind.judge(
                    status,
                    _violation(
                        "late_reply_publication", "catalogue", pid, "published ", published_on, ", due ", due.due_on
                    ),
                )
            else:
                ind.judge(
                    status,
                    _violation("reply_unpublished_past_due", "catalogue", pid, "due ", due.due_on, ", not published"),
                )

    def _sync(self, dept: str, ind: Indicator) -> None:
        days = self.scheme.interpretation_sync_working_days
        for rid, r in self._of(dept, "records"):
            if r.department != dept or not r.needs_interpretation or r.published_at is None:
                continue
            if local_date(r.published_at).year != self.year:
                continue
            sync = sync_status(
                r.published_at,
                self._interpretations_of.get(rid, []),
                self.as_of,
                self.rules.calendar,
                self.rules.law,
                working_days=days,
            )
            if sync.lag_working_days is not None:
                lag = sync.lag_working_days
                ind.judge(
                    sync.status,
                    _violation("late_interpretation", "interpretation", rid, lag, " working days after the policy"),
                )
            else:
                ind.judge(
                    sync.status,
                    _violation("missing_interpretation", "interpretation", rid, "none within ", days, " working days"),
                )

    def _principal(self, dept: str, ind: Indicator) -> None:
        required = self.scheme.principal_interpretations_required
        ind.capped = True
        ind.denominator = required
        ind.numerator = sum(
            1
            for _, i in self._of(dept, "interpretations")
            if i.department == dept
            and i.principal
            and not i.withdrawn
            and i.published_at is not None
            and local_date(i.published_at).year == self.year
        )
        if ind.numerator < required and ind.explain:
            ind.violations.append(
                _violation("principal_quota_short", "interpretation", dept, int(ind.numerator), " of ", required)()
            )

    def _opinion(self, dept: str, ind: Indicator) -> None:
        for iid, incident in self._of(dept, "incidents"):
            if incident.lead_department != dept or local_date(incident.clock.detected_at).year != self.year:
                continue
            for d in incident.clock.deadlines(self.rules.law):
                ind.judge(d.status(self.as_of), _violation(f"missed_{d.kind}", "opinion", iid, "due ", d.due_at))

    def _requests(self, dept: str, ind: Indicator) -> None:
        calendar, law = self.rules.calendar, self.rules.law
        for rid, request in self._of(dept, "requests"):
            clock = request.clock
            if request.department != dept or clock.received_on.year != self.year:
                continue
            status = clock.status_at(calendar, law, self.today)
            if status != "missed" or not ind.explain:
                ind.judge(status, None)
                continue
            due_on = clock.due_on(calendar, law, self.today)  # what a shown violation says
            if clock.replied_on is not None:
                ind.judge(
                    status, _violation("late_reply", "catalogue", rid, "replied ", clock.replied_on, ", due ", due_on)
                )
            else:
                ind.judge(status, _violation("unreplied_past_due", "catalogue", rid, "due ", due_on))

    def _deductions(self, dept: str, actions: Iterable[ActionFact]) -> dict[str, Any]:
        counts = dict.fromkeys(self.scheme.deductions, 0)
        for action in actions:
            if action.department == dept and action.issued_on.year == self.year and action.kind in counts:
                counts[action.kind] += 1
        points = sum(self.scheme.deductions[k] * n for k, n in counts.items())
        return {**counts, "points": points}


def rank(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rank 1 is the highest; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s["score"], s["department"]))
    for index, entry in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        entry["rank"] = previous["rank"] if previous is not None and previous["score"] == entry["score"] else index + 1
    return ordered


def proposed_actions(world: World, year: int, as_of: datetime, law: Law, acted_on: set[str]) -> list[dict[str, Any]]:
    """Missed emergency deadlines and ineffective evaluations with no action referring to them yet."""
    proposals = []
    for iid, incident in world.incidents.items():
        if local_date(incident.clock.detected_at).year != year or iid in acted_on or incident.lead_department is None:
            continue
        missed = [
            d.kind
            for d in incident.clock.deadlines(law)
            if d.kind in EMERGENCY_DEADLINES and d.status(as_of) == "missed"
        ]
        reasons = [f"missed_{k}" for k in missed] + (
            ["ineffective_evaluation"] if incident.rating == "ineffective" else []
        )
        if reasons:
            proposals.append(
                {
                    "department": incident.lead_department,
                    "service": "opinion",
                    "ref_id": iid,
                    "reasons": reasons,
                    "findings": incident.findings,
                    "suggested_kind": "circulated_criticism" if len(reasons) > 1 else "rectification_interview",
                }
            )
    return sorted(proposals, key=lambda p: (p["department"], p["ref_id"]))
