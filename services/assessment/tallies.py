"""Tallies: the judge's counts kept up to date with the world, so that a league adds up sums
instead of judging every fact of the year again.

A tally belongs to a world (``World.followers``) and to one set of rules (``Counting.key``: a
scheme's thresholds, the law, the calendar). The world tells it which entity each fact changed
(a *unit*: a record, a request, an incident, …). At the next question the tally counts the
changed units again with ``Counting``, the same functions the judge counts with, at the instant
of the world's newest fact (``World.clock``):

- a unit whose counts are all final (``Count.final``: met or missed, or no clock, with a
  deadline that no longer moves) is *settled*: its counts are added to the sums per (year,
  department, indicator) and stay there until a new fact about the unit arrives;
- a unit with a pending count stays *open*: it is counted again at each question's ``as_of``,
  and at each new clock, where it settles once final.

A live breakdown takes a tally too (``Judge`` with ``tally``): the settled units' sums and their
misses, each kept with how it is explained (final, so its text is the same at any later instant),
and only the open units counted again at ``as_of``.

Why a tally answers what the judge answers from scratch, at any ``as_of`` at or after the clock:

- a judged deadline never comes back (``shared.rules.time.judge`` is monotone in ``now``), so a
  count final at the clock is the same at ``as_of``; every other unit is counted at ``as_of``;
- a unit's counts depend on its own facts, and on the interpretations of a policy record, so an
  interpretation's fact marks its policy's record too; catalogue coverage is worked out per
  question from the counted items and the item codes the records cover;
- the judge (``services.assessment.scoring.Judge``) uses a tally only for a world whose clock is
  not after ``as_of``. ``tests/assessment/test_worlds.py`` compares both at every instant of
  random histories, live and from snapshots (which carry their world's tallies).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.assessment.counting import Count, Counting, counted_interpretation, counted_item, covered_item
from services.assessment.world import World

Unit = tuple[str, str]  # (part of the world, key of the entity)
Sum = tuple[int, str, str]  # (year, department, indicator)


class Tally:
    def __init__(self, world: World | None = None) -> None:
        """A tally of ``world``'s facts, every entity to be counted at the first ``settle``."""
        self.totals: dict[Sum, list[int]] = {}  # settled counts: [met, counted]
        self.settled: dict[Unit, tuple[tuple[Sum, bool], ...]] = {}  # what each settled unit added
        # the settled units' missed counts, with how each miss is explained (final, so the same at
        # every later instant): a live breakdown shows them without counting the unit again
        self.missed: dict[Unit, tuple[Count, ...]] = {}
        # the open units: their counts at the clock, with their deadlines (not how a miss is explained)
        self.pending: dict[Unit, tuple[Count, ...]] = {}
        self.dirty: set[Unit] = set() if world is None else {(p, k) for p, entities in world.parts() for k in entities}
        self.clock: datetime | None = None  # the instant the open units were last counted at
        self.codes: Counter[tuple[int, str]] = Counter()  # (year, item code): records covering it
        self.covering: dict[str, tuple[int, str]] = {}  # record: the (year, item code) it covers
        self.items: dict[str, dict[str, str]] = {}  # department: its counted items (key: code)
        self.item_department: dict[str, str] = {}
        self.interpretations_of: dict[str, set[str]] = {}  # policy record: its interpretations
        self._sums: dict[Sum, Sum] = {}  # one tuple per sum, shared by the units adding to it

    # --- what a tally snapshot stores: no more than the sums, the open units and coverage ---------

    def summary(self) -> dict[str, Any]:
        """What a past question needs besides the entities it counts again (``counts_since``):
        the sums, the open units' counts with their deadlines, and coverage."""
        return {
            "clock": self.clock,
            "totals": self.totals,
            "pending": self.pending,
            "codes": self.codes,
            "items": self.items,
        }

    @classmethod
    def restored(cls, summary: dict[str, Any]) -> Tally:
        """A tally from its snapshot, for a past league (it explains nothing: ``missed`` is not stored)."""
        tally = cls()
        tally.clock, tally.totals, tally.pending = summary["clock"], summary["totals"], summary["pending"]
        tally.codes, tally.items = summary["codes"], summary["items"]
        return tally

    def moving(self) -> set[Unit]:
        """Open units with a deadline that still moves: a later question counts them again."""
        return {unit for unit, counts in self.pending.items() if any(c.moving for c in counts)}

    def touch(self, part: str, key: str) -> None:
        self.dirty.add((part, key))

    # --- settling at the world's clock ------------------------------------------------------------

    def settle(self, world: World, counting: Counting, at: datetime) -> None:
        """Count the changed units (and, when the clock moved, the open ones) at ``at``."""
        work = self.dirty | set(self.pending) if at != self.clock else self.dirty
        self.dirty = set()
        for key in [key for part, key in work if part == "interpretations"]:
            interpretation = world.interpretations.get(key)
            if interpretation is not None:  # its policy's sync may change with it
                self.interpretations_of.setdefault(interpretation.policy_record_id, set()).add(key)
                work.add(("records", interpretation.policy_record_id))
        for unit in work:
            self._forget(unit)
            self._index(world, unit)
            counts = list(self._count(world, counting, unit, at))
            if all(count.final for count in counts):
                self._add(unit, counts)
            else:
                self.pending[unit] = tuple(replace(c, violation=None) for c in counts)
        self.clock = at

    def _add(self, unit: Unit, counts: list[Count]) -> None:
        added = []
        for count in counts:
            if count.status is None:
                continue  # no clock runs: counted nowhere
            key = (count.year, count.department, count.indicator)
            key = self._sums.setdefault(key, key)
            met = count.status == "met"
            total = self.totals.setdefault(key, [0, 0])
            total[0] += met
            total[1] += 1
            added.append((key, met))
        if added:
            self.settled[unit] = tuple(added)
        missed = tuple(count for count in counts if count.status == "missed")
        if missed:
            self.missed[unit] = missed

    def _forget(self, unit: Unit) -> None:
        for sum_, met in self.settled.pop(unit, ()):
            total = self.totals[sum_]
            total[0] -= met
            total[1] -= 1
        self.pending.pop(unit, None)
        self.missed.pop(unit, None)
        part, key = unit
        if part == "records":
            self._uncover(unit, self.covering.pop(key, None), None)
        elif part == "items":
            self._uncover(unit, None, self.item_department.pop(key, None))

    def _unindex(self, world: World, unit: Unit) -> None:
        """Take back what ``_index`` added for the unit as it is in ``world``."""
        part, key = unit
        record, item = world.records.get(key), world.items.get(key)
        if part == "records" and record is not None:
            self._uncover(unit, covered_item(record), None)
        elif part == "items" and item is not None and counted_item(item):
            self._uncover(unit, None, item.department)

    def _uncover(self, unit: Unit, covered: tuple[int, str] | None, department: str | None) -> None:
        """Take back a record's cover of ``covered`` (year, item code), or an item counted for
        ``department``: what the live tally remembered (``_forget``) or what a restored one
        finds in the entity as it was (``_unindex``)."""
        if covered is not None:
            self.codes[covered] -= 1
            if not self.codes[covered]:
                del self.codes[covered]
        if department is not None:
            del self.items[department][unit[1]]

    def _index(self, world: World, unit: Unit) -> None:
        """What a unit adds to catalogue coverage: the item code a record covers, a counted item."""
        part, key = unit
        if part == "records" and key in world.records:
            covered = covered_item(world.records[key])
            if covered is not None:
                self.covering[key] = covered
                self.codes[covered] += 1
        elif part == "items" and key in world.items:
            item = world.items[key]
            if counted_item(item):
                self.items.setdefault(item.department, {})[key] = item.code
                self.item_department[key] = item.department

    def _count(self, world: World, counting: Counting, unit: Unit, at: datetime) -> Iterable[Count]:
        """The unit's counts at ``at``."""
        part, key = unit
        if part == "records":
            record = world.records.get(key)
            return () if record is None else counting.record(key, record, self._interpretations(world, key), at)
        if part == "interpretations":
            interpretation = world.interpretations.get(key)
            return () if interpretation is None else counting.interpretation(interpretation)
        counters: dict[str, Callable[[str, Any, datetime], Iterable[Count]]] = {
            "proposals": counting.proposal,
            "requests": counting.request,
            "incidents": counting.incident,
        }
        count = counters.get(part)
        entity = getattr(world, part).get(key)
        return () if count is None or entity is None else count(key, entity, at)

    def _interpretations(self, world: World, record: str) -> list[datetime]:
        """When the counted interpretations of ``record`` in ``world`` were published."""
        found = (world.interpretations.get(i) for i in self.interpretations_of.get(record, ()))
        published = (counted_interpretation(i) for i in found if i is not None)
        return [at for at in published if at is not None]

    # --- answering -----------------------------------------------------------------------------------

    def counts(
        self, world: World, counting: Counting, year: int, as_of: datetime, units: Iterable[Unit] | None = None
    ) -> dict[tuple[str, str], list[int]]:
        """Per (department, indicator) of ``year``: [met, counted] at ``as_of`` (not before the
        clock): the sums, and the ``units`` counted in ``world`` at ``as_of``. When ``units`` is
        None, the open units: those whose deadline moves are counted again, the others carried
        from their counts at the clock (``Count.later``: no fact about them arrived since, so
        counting them again would only find their deadlines passed or not). Catalogue coverage
        counts each department's items covered in ``year``."""
        assert self.clock is not None, "settled first"
        assert as_of >= self.clock, "a tally answers only at or after its clock"
        counts: dict[tuple[str, str], list[int]] = {}
        for (y, department, indicator), (met, counted) in self.totals.items():
            if y == year and counted:
                counts[(department, indicator)] = [met, counted]
        if units is None:
            units = self.moving()
            _carry(counts, (pending for unit, pending in self.pending.items() if unit not in units), year, as_of)
        for unit in units:
            for count in self._count(world, counting, unit, as_of):
                if count.year == year and count.status in ("met", "missed"):
                    total = counts.setdefault((count.department, count.indicator), [0, 0])
                    total[0] += count.status == "met"
                    total[1] += 1
        for department, items in self.items.items():
            if items:
                covered = sum(1 for code in items.values() if (year, code) in self.codes)
                counts[(department, "catalogue_coverage")] = [covered, len(items)]
        return counts


def tally_of(world: World, counting: Counting) -> Tally:
    """The world's tally for ``counting``'s rules (made on first use), settled at the world's clock."""
    assert world.clock is not None, "a tally settles at the instant of the world's newest fact"
    tally = world.followers.get(("tally", counting.key))
    if not isinstance(tally, Tally):
        tally = Tally(world)
        world.followers[("tally", counting.key)] = tally
    tally.settle(world, counting, world.clock)
    return tally


def counts_since(
    tally: Tally,
    counting: Counting,
    year: int,
    as_of: datetime,
    before: World,
    after: World,
    changed: set[Unit],
) -> dict[tuple[str, str], list[int]]:
    """A past question from a tally snapshot (``tally``, restored from it, and consumed: its sums
    are changed in place): its sums without the ``changed`` units as they were
    at the snapshot (``before``), plus those units counted at ``as_of`` (``after``), plus the
    snapshot's other open units carried to ``as_of`` (a pending count becomes missed once its
    deadline passes). ``changed`` holds every unit a fact after the snapshot touched, the open
    units whose deadline moves, and the policy record of every interpretation among them;
    ``before`` and ``after`` hold those entities and the interpretations of those records."""
    assert tally.clock is not None, "a stored tally was settled"
    for interpretation, fact in after.interpretations.items():
        tally.interpretations_of.setdefault(fact.policy_record_id, set()).add(interpretation)
    for unit in changed:
        if unit not in tally.pending:  # settled: it added its counts at the snapshot's clock, final since
            for count in tally._count(before, counting, unit, tally.clock):
                if count.status is not None:
                    total = tally.totals[(count.year, count.department, count.indicator)]
                    total[0] -= count.status == "met"
                    total[1] -= 1
        tally._unindex(before, unit)
        tally._index(after, unit)
    carried = [counts for unit, counts in tally.pending.items() if unit not in changed]
    counts = tally.counts(after, counting, year, as_of, changed)
    _carry(counts, carried, year, as_of)
    return counts


def _carry(
    counts: dict[tuple[str, str], list[int]], pending: Iterable[tuple[Count, ...]], year: int, as_of: datetime
) -> None:
    """Add to ``counts`` the open units' ``pending`` counts of ``year`` carried to ``as_of`` (a
    pending count becomes missed once its deadline passes)."""
    for unit_counts in pending:
        for count in unit_counts:
            later = count.later(as_of)
            if count.year == year and later in ("met", "missed"):
                total = counts.setdefault((count.department, count.indicator), [0, 0])
                total[0] += later == "met"
                total[1] += 1
