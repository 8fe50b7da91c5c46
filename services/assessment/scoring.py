"""Per-department scores (api.md "Default scheme"), judged over a World at an instant.

Every point is explained: each indicator carries its numerator, denominator, rate, points and
the violations (with the service and id they came from) that cost it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any

from services.assessment.counting import (
    Count,
    Counting,
    Explained,
    Rules,
    Scheme,
    counted_interpretation,
    counted_item,
    covered_item,
    violation,
)
from services.assessment.tallies import Tally, Unit
from services.assessment.world import World
from shared.rules.law import Law
from shared.rules.opinion import EMERGENCY_DEADLINES
from shared.rules.time import Status
from shared.rules.vocabulary import INDICATORS
from shared.timeutil import local_date

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


def _covered_items(world: World, year: int) -> set[str]:
    """The item codes covered in ``year`` by a record of ``world``."""
    covered = (covered_item(r) for r in world.records.values())
    return {c[1] for c in covered if c is not None and c[0] == year}


def _interpretations_of(world: World) -> dict[str, list[datetime]]:
    """Per policy record: when its counted interpretations were published."""
    published: dict[str, list[datetime]] = defaultdict(list)
    for interp in world.interpretations.values():
        at = counted_interpretation(interp)
        if at is not None:
            published[interp.policy_record_id].append(at)
    return published


Tallied = dict[tuple[str, str], list[int]]  # per (department, indicator): [met, counted]


class Judge:
    def __init__(
        self,
        world: World,
        scheme: Scheme,
        rules: Rules,
        year: int,
        as_of: datetime,
        *,
        tallied: Tallied | None = None,
        tally: Tally | None = None,
    ) -> None:
        """``tallied``: the counts of ``year`` at ``as_of`` from tallies (``services.assessment.
        tallies``, made with ``Counting(scheme, rules)``), for scores without explanations;
        ``tally``: the world's own tally for these rules, settled at or before ``as_of``: a
        breakdown then counts again only the open units and takes the settled ones' sums and
        misses from it."""
        assert tally is None or (tally.clock is not None and tally.clock <= as_of), "a tally answers after its clock"
        self.world, self.scheme, self.rules, self.year = world, scheme, rules, year
        self.as_of = as_of
        self.counting = Counting(scheme, rules)
        self.tallied, self.tally = tallied, tally

    @cached_property
    def _by_department(self) -> dict[str, dict[str, list[tuple[str, Any]]]]:
        """Each kind of fact grouped by the department it counts for, built once per world
        version (a breakdown of every department: one pass instead of one per department)."""
        index: dict[str, dict[str, list[tuple[str, Any]]]] = self.world.kept(_group_by_department)
        return index

    def _of(self, department: str, kind: str) -> list[tuple[str, Any]]:
        return self._by_department.get(department, {}).get(kind, [])

    @cached_property
    def _covered_items(self) -> set[str]:
        covered: set[str] = self.world.kept(_covered_items, self.year)
        return covered

    @cached_property
    def _interpretations_of(self) -> dict[str, list[datetime]]:
        published: dict[str, list[datetime]] = self.world.kept(_interpretations_of)
        return published

    def department(self, department: str, actions: Iterable[ActionFact], *, explain: bool = True) -> dict[str, Any]:
        """The department's score; ``explain``: with every violation behind it. A league does not
        explain, and takes the tallied counts when it was given them."""
        if not explain and self.tallied is not None:
            indicators = self._tallied(department, self.tallied)
        else:
            indicators = self._judged(department, explain)
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

    def _indicators(self, explain: bool) -> dict[str, Indicator]:
        indicators = {name: Indicator(float(self.scheme.weights.get(name, 0)), explain=explain) for name in INDICATORS}
        principal = indicators["principal_interpretations"]
        principal.capped, principal.denominator = True, self.scheme.principal_interpretations_required
        return indicators

    def _judged(self, dept: str, explain: bool) -> dict[str, Indicator]:
        """Every fact of the department counted at ``as_of`` (with a tally: only its open units;
        the settled ones add their sums, and their misses in the same order)."""
        indicators = self._indicators(explain)
        tally, year = self.tally, self.year
        principal = indicators["principal_interpretations"]
        for unit, count in self._units(dept):
            if tally is None:
                counts: Iterable[Count] = count()
            elif unit in tally.pending:
                counts = self._open(tally.pending[unit], count)
            else:  # settled: its sums are added below; only its misses are shown
                for missed in tally.missed.get(unit, ()):
                    if missed.year == year and missed.department == dept and missed.violation and explain:
                        indicators[missed.indicator].violations.append(missed.violation())
                continue
            for c in counts:
                if c.year != year or c.department != dept:
                    continue
                if c.indicator == "principal_interpretations":
                    principal.numerator += 1
                else:
                    indicators[c.indicator].judge(c.status, c.violation)
        if tally is not None:
            for name, indicator in indicators.items():
                met, counted = tally.totals.get((year, dept, name), (0, 0))
                indicator.numerator += met
                if name != "principal_interpretations":  # its denominator is the quota
                    indicator.denominator += counted
        self._coverage(dept, indicators["catalogue_coverage"])
        required = self.scheme.principal_interpretations_required
        if principal.numerator < required and explain:
            principal.violations.append(
                violation("principal_quota_short", "interpretation", dept, int(principal.numerator), " of ", required)()
            )
        return indicators

    def _open(self, pending: tuple[Count, ...], count: Callable[[], Iterable[Count]]) -> Iterable[Count]:
        """An open unit's counts at ``as_of``: its counts at the tally's clock when none of them
        is missed by ``as_of`` and none has a deadline that moves (no fact about it arrived
        since, so counting it again would find the same, and there is no miss to explain);
        else counted again, so that each miss is shown with how it is explained."""
        if any(c.moving or c.later(self.as_of) == "missed" for c in pending):
            return count()
        return pending

    def _units(self, dept: str) -> Iterator[tuple[Unit, Callable[[], Iterable[Count]]]]:
        """The department's units in the order their misses are shown, each with how it is
        counted at ``as_of``."""
        counting, as_of, year = self.counting, self.as_of, self.year
        for rid, r in self._of(dept, "records"):
            yield ("records", rid), partial(counting.record, rid, r, self._interpretations_of.get(rid, []), as_of, year)
        for pid, p in self._of(dept, "proposals"):
            yield ("proposals", pid), partial(counting.proposal, pid, p, as_of)
        for rid, r in self._of(dept, "requests"):
            yield ("requests", rid), partial(counting.request, rid, r, as_of)
        for iid, i in self._of(dept, "incidents"):
            yield ("incidents", iid), partial(counting.incident, iid, i, as_of)
        for iid, i in self._of(dept, "interpretations"):
            yield ("interpretations", iid), partial(counting.interpretation, i)

    def _tallied(self, dept: str, counts: Tallied) -> dict[str, Indicator]:
        """The department's indicators from a tally's counts (the counts ``_judged`` makes)."""
        indicators = self._indicators(False)
        for name, indicator in indicators.items():
            met, counted = counts.get((dept, name), (0, 0))
            indicator.numerator = met
            if name != "principal_interpretations":  # its denominator is the quota
                indicator.denominator = counted
        return indicators

    def _coverage(self, dept: str, ind: Indicator) -> None:
        for _, item in self._of(dept, "items"):
            if item.department == dept and counted_item(item):
                ok = item.code in self._covered_items
                ind.hit(
                    ok, violation("item_without_record", "catalogue", item.code, "no record published in ", self.year)
                )

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
