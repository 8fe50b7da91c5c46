"""Worlds and tallies at any instant without replaying the whole history.

A judgement needs the ``World`` of the facts recorded by ``as_of``, or for a league only the
judge's counts (``services.assessment.tallies``). Replaying every fact for every question costs
the whole history each time; instead:

- **the live world** (every fact the followers have stored) is kept in memory and advanced by
  the facts after the positions it has seen, so a live question replays nothing (a restarted
  service loads it from the newest world snapshot, ``_restore``, or a cold one makes it while it
  lays its snapshots out, ``_lay_out``); its tallies
  count again only the entities the new facts changed; as it grows it is frozen out of the cyclic
  collector's sight (``_freeze``), whose full passes would otherwise walk it all;
- **tally snapshots**: every ``assessment_tally_snapshot_every_facts`` facts, the default
  scheme's tally of the live world (sums, open entities, catalogue coverage: small) is stored
  (``assessment_tally_snapshot``) with the position it reached in each upstream and the newest
  ``recorded_at`` among its facts (``recorded_through``). A past league starts from the newest
  one recorded through ``as_of`` and counts again only the entities the facts after it changed,
  each replayed from its own facts (``_entities``);
- **world snapshots**: every ``assessment_snapshot_every_facts`` facts, what the live world
  changed since its previous snapshot is stored (``assessment_world_snapshot``: the entities
  added or changed, over that ``base``; the first one is whole, ``_Dumps``). A past breakdown of
  several departments (or a league under another scheme) starts from the world of the fullest
  one recorded through ``as_of`` (loaded along its chain) and replays only the facts after it;
- **a department's own world**: a past breakdown of one department needs only the entities that
  department's counts depend on: its own (every fact carries the department it counts for), the
  records under its catalogue items (``item_code``) and the interpretations of its records
  (``refers_to``), each replayed from its own facts (``_department_world``). That reads a
  department's share of the history instead of loading a whole world.

Why a snapshot plus its delta is what a replay from scratch gives:

- *The same facts.* A snapshot holds, per upstream, the facts at positions up to ``P``, all
  recorded by ``recorded_through <= as_of``; the delta is the facts after ``P`` recorded by
  ``as_of``. Together: exactly the facts recorded by ``as_of``.
- *In an order that gives the same state.* Per upstream the facts are applied in position
  order (snapshot first, then delta). Upstreams interleave differently from a replay, but the
  world's handlers for different upstreams touch different parts of the world
  (``world.HANDLED_BY_UPSTREAM``), so their order does not matter.
- *Found without reading later facts.* ``recorded_at`` never decreases along an upstream's log
  (``shared.persistence`` takes the later of the clock and the last link), so the delta is the
  facts of the range ``recorded_at`` in ``[recorded_at of P, as_of]`` after ``P``, read through
  the ``(upstream, recorded_at)`` index.

Snapshots are a cache: they are written outside the follower's transaction (and only once every
upstream has been read to its head, see ``AssessmentApplication.followed``), one that is lost
costs only time, and a snapshot of another ``SNAPSHOT_FORMAT`` (the code changed) or, for a
tally, of other rules is never read: the next ``snapshot_if_due`` removes them and lays new ones
out from the facts.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import logging
import pickle
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter
from typing import Any

from sqlalchemy import and_, delete, desc, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from services.assessment import counting, tallies
from services.assessment import world as world_module
from services.assessment.counting import Counting
from services.assessment.read_models import fact, tally_snapshot, world_snapshot
from services.assessment.tallies import Tally, Unit, counts_since, tally_of
from services.assessment.world import PART_OF, SCORED_TYPES, UPSTREAMS, World
from shared.rules import disclosure, interpretation, opinion, proposals, requests, time

log = logging.getLogger("openness.assessment.worlds")


def _fingerprint() -> str:
    """Changes whenever the code of what a snapshot holds changes (then old snapshots are unread)."""
    digest = hashlib.sha256()
    modules = (world_module, counting, tallies, disclosure, interpretation, opinion, proposals, requests, time)
    for module in modules:
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()[:32]


SNAPSHOT_FORMAT = _fingerprint()

Opener = Callable[[], AbstractContextManager[Session]]  # the application's reading() or transaction()


@dataclass
class Frontier:
    """What a world holds: per upstream the last position applied and its ``recorded_at``."""

    positions: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, datetime] = field(default_factory=dict)
    facts: int = 0

    @property
    def recorded_through(self) -> datetime | None:
        return max(self.recorded.values(), default=None)

    def as_json(self) -> dict[str, Any]:
        return {
            "positions": self.positions,
            "recorded": {u: r.isoformat() for u, r in self.recorded.items()},
            "facts": self.facts,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Frontier:
        return cls(
            {u: int(p) for u, p in data["positions"].items()},
            {u: datetime.fromisoformat(r) for u, r in data["recorded"].items()},
            int(data["facts"]),
        )


def _after(upstream: str, frontier: Frontier, as_of: datetime | None) -> tuple[Any, tuple[Any, ...]]:
    """The condition and order of ``upstream``'s facts after ``frontier`` (recorded by ``as_of``
    when given), in position order."""
    after = frontier.positions.get(upstream, 0)
    condition = and_(fact.c.upstream == upstream, fact.c.position > after)
    if as_of is None:
        return condition, (fact.c.position,)
    condition = and_(condition, fact.c.recorded_at <= as_of)
    if upstream in frontier.recorded:  # the index range: recorded_at never decreases along a log
        condition = and_(condition, fact.c.recorded_at >= frontier.recorded[upstream])
    # The same order as by position (recorded_at never decreases along a log), and it lets the
    # planner read the (upstream, recorded_at) range: by position alone SQLite read the primary
    # key from ``after`` to the end of the log (at 100k events per upstream, 50-80 ms a question).
    return condition, (fact.c.recorded_at, fact.c.position)


def _facts_after(
    session: Session, frontier: Frontier, as_of: datetime | None, upstreams: tuple[str, ...] = UPSTREAMS
) -> Iterator[tuple[str, Any]]:
    """Facts of ``upstreams`` after ``frontier`` (recorded by ``as_of`` when given), per upstream
    in position order."""
    for upstream in upstreams:
        condition, order = _after(upstream, frontier, as_of)
        rows = session.execute(
            select(fact.c.position, fact.c.type, fact.c.stream_id, fact.c.data, fact.c.occurred_at, fact.c.recorded_at)
            .where(condition)
            .order_by(*order)
            .execution_options(yield_per=5000)
        )
        for row in rows:
            yield upstream, row


def _units_after(session: Session, frontier: Frontier, as_of: datetime) -> set[Unit]:
    """The units the facts after ``frontier`` recorded by ``as_of`` touch: their types and streams
    only (a past question replays those entities from their own facts anyway), without a
    server-side cursor: once the followers have caught up, tally snapshots lie every
    ``assessment_tally_snapshot_every_facts`` facts, so these are a few hundred rows."""
    units: set[Unit] = set()
    for upstream in UPSTREAMS:
        condition, order = _after(upstream, frontier, as_of)
        for type_, stream in session.execute(select(fact.c.type, fact.c.stream_id).where(condition).order_by(*order)):
            part = PART_OF.get(type_)
            if part is not None:
                units.add((part, stream))
    return units


def advance(
    world: World,
    frontier: Frontier,
    session: Session,
    as_of: datetime | None = None,
    upstreams: tuple[str, ...] = UPSTREAMS,
) -> int:
    """Apply the facts of ``upstreams`` after ``frontier`` (recorded by ``as_of`` when given) to
    ``world``; move the frontier."""
    applied = 0
    for upstream, row in _facts_after(session, frontier, as_of, upstreams):
        _fold(world, frontier, upstream, row)
        applied += 1
    return applied


_SCORED = frozenset(SCORED_TYPES)


def _fold(world: World, frontier: Frontier, upstream: str, row: Any) -> None:
    """Apply one fact row (position, type, stream_id, data, occurred_at, recorded_at)."""
    position, type_, stream, data, occurred_at, recorded_at = row
    if type_ in _SCORED:
        world.apply(type_, stream, data, occurred_at)
    frontier.positions[upstream] = position
    frontier.recorded[upstream] = recorded_at
    frontier.facts += 1
    if world.clock is None or recorded_at > world.clock:
        world.clock = recorded_at


def _load(state: bytes, into: World | None = None) -> World:
    # Our own store's bytes, written by ``World.dump`` of this SNAPSHOT_FORMAT.
    with _collector_paused():
        return World.load(state, into)


def _newest_world(session: Session, as_of: datetime | None = None) -> tuple[int, World, Frontier] | None:
    """The world of the fullest world snapshot (recorded through ``as_of`` when given): its id,
    its world and what it holds; None when there is none to load."""
    condition = world_snapshot.c.format == SNAPSHOT_FORMAT
    if as_of is not None:
        condition = and_(condition, world_snapshot.c.recorded_through <= as_of)
    row = session.execute(
        select(world_snapshot.c.id, world_snapshot.c.frontier)
        .where(condition)
        .order_by(desc(world_snapshot.c.facts))
        .limit(1)
    ).first()
    world = None if row is None else _load_chain(session, row.id)
    if row is None or world is None:
        return None
    return row.id, world, Frontier.from_json(row.frontier)


def _load_chain(session: Session, newest: int) -> World | None:
    """The world of the snapshot ``newest``: the whole one its chain starts from, then each
    snapshot over it in turn (``_Dumps``). None when a link is missing (snapshots are a cache:
    the facts are then replayed)."""
    rows = session.execute(
        select(world_snapshot.c.id, world_snapshot.c.base).where(
            world_snapshot.c.format == SNAPSHOT_FORMAT, world_snapshot.c.id <= newest
        )
    )
    links: dict[int, int | None] = dict(rows.tuples().all())
    chain: list[int] = []
    ident: int | None = newest
    while ident is not None:
        if ident not in links:
            log.warning("world snapshot %d is missing from the chain of %d: replaying the facts", ident, newest)
            return None
        chain.append(ident)
        ident = links[ident]
    world = World()
    for ident in reversed(chain):  # one state in memory at a time
        _load(session.execute(select(world_snapshot.c.state).where(world_snapshot.c.id == ident)).scalar_one(), world)
    return world


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Unpickling a world makes objects only (it leaves no garbage), yet their count triggers the
    cyclic collector again and again, each pass walking what was made so far: at 100k events per
    service, 1.26 s with the collector, 0.53 s without. Whoever found it running turns it back on,
    also on an error (another thread unpickling at the same time may then finish with it
    running: only slower)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class Worlds:
    """The assessment's worlds: the live one in memory and the snapshots in its store."""

    def __init__(
        self, snapshot_every: int, tallies: tuple[Counting, int] | None = None, *, freeze_every: int = 0
    ) -> None:
        """``tallies``: the default scheme's rules and every how many facts their tallies are
        stored (None: no tally snapshots; a past league then judges a world). ``freeze_every``:
        once the live world has grown by so many facts, what is alive is frozen (``_freeze``;
        0: never)."""
        counting, self.tally_every = tallies if tallies is not None else (None, 0)
        self.snapshot_every = snapshot_every
        self._counting = counting
        self._rules = None if counting is None else rules_fingerprint(counting)
        self._lock = threading.RLock()  # the live world: advanced and judged one at a time
        self._live = _dumping(World())
        self._frontier = Frontier()
        self._snapshotted = 0  # facts in the newest world snapshot of this format, once known
        self._tallied = 0  # facts in the newest tally snapshot of this format and these rules
        self._formats_checked = False
        self._snapshotting = threading.Lock()
        self.freeze_every = freeze_every
        self._frozen = 0  # facts of the live world when it was last frozen

    def at(self, session: Session, as_of: datetime) -> AbstractContextManager[World]:
        """The world of the facts recorded by ``as_of``, for the duration of the ``with``."""
        return self._world(session, as_of, lambda: self._past(session, as_of))

    def of_department(self, session: Session, department: str, as_of: datetime) -> AbstractContextManager[World]:
        """A world with what ``department``'s breakdown at ``as_of`` depends on (more, when it is
        the live world): its entities, the records under its catalogue items and the
        interpretations of its records, as they were at ``as_of``."""
        return self._world(session, as_of, lambda: _department_world(session, department, as_of))

    def live_tally(self, world: World, counting: Counting) -> Tally | None:
        """The live world's tally for ``counting``'s rules, settled at its clock, when ``world``
        is the live world (asked inside the ``with`` that yielded it, under the lock); None for
        any other world, which is judged entity by entity."""
        if world is not self._live or world.clock is None:
            return None
        return tally_of(world, counting)

    @contextmanager
    def _world(self, session: Session, as_of: datetime, past: Callable[[], World]) -> Iterator[World]:
        """The live world (judged under the lock) when its facts are all recorded by ``as_of``,
        else the world ``past`` makes."""
        with self._lock:
            self._refresh(session)
            newest = self._frontier.recorded_through
            if newest is None or newest <= as_of:
                yield self._live
                return
        yield past()

    def counts_at(
        self, session: Session, counting: Counting, year: int, as_of: datetime
    ) -> dict[tuple[str, str], list[int]] | None:
        """A league's counts per (department, indicator) of ``year`` at ``as_of``, from tallies:
        the live world's, or a stored one plus the entities changed since. None when there is no
        tally to answer from (then the judge counts a world)."""
        with self._lock:
            self._refresh(session)
            newest = self._frontier.recorded_through
            if newest is None or newest <= as_of:
                if self._live.clock is None:
                    return None
                return tally_of(self._live, counting).counts(self._live, counting, year, as_of)
        if rules_fingerprint(counting) != self._rules:
            return None  # tally snapshots are kept for the default scheme's rules only
        return self._past_counts(session, counting, year, as_of)

    def _refresh(self, session: Session) -> None:
        stale, grown = _heads(session, self._frontier)
        if stale:
            log.info("the facts were replaced (a rebuild?): the live world and its snapshots start again")
            self._live, self._frontier = _dumping(World()), Frontier()
            self._snapshotted, self._tallied, self._formats_checked = 0, 0, False  # gone with the facts
            self._frozen = 0
        if grown and not self._frontier.facts and self._restore(session):
            grown = UPSTREAMS  # the facts after the snapshot, of every upstream
        if grown:
            advance(self._live, self._frontier, session, upstreams=grown)
        if self.freeze_every and self._frontier.facts - self._frozen >= self.freeze_every:
            _freeze()
            self._frozen = self._frontier.facts

    def _restore(self, session: Session) -> bool:
        """A live world yet to be made starts from the world of the newest world snapshot, if
        there is one (loaded along its chain instead of replaying every fact: a restart), and
        its next snapshot holds the changes over that one. Whether it did."""
        restored = _newest_world(session)
        if restored is None or _heads(session, restored[2])[0]:  # none, or of facts no longer there
            return False
        ident, world, self._frontier = restored
        self._live = _dumping(world)
        _dumps_of(world).stored_as(ident, world)
        log.info("the live world starts from world snapshot %d (%d facts)", ident, self._frontier.facts)
        return True

    def _past(self, session: Session, as_of: datetime) -> World:
        world, frontier = World(), Frontier()
        restored = _newest_world(session, as_of)
        if restored is not None:
            _, world, frontier = restored
        advance(world, frontier, session, as_of)
        return world

    def _past_counts(
        self, session: Session, counting: Counting, year: int, as_of: datetime
    ) -> dict[tuple[str, str], list[int]] | None:
        """The newest tally snapshot recorded through ``as_of``, and the entities the facts after
        it changed, each replayed from its own facts (``tallies.counts_since``)."""
        row = session.execute(
            select(tally_snapshot.c.frontier, tally_snapshot.c.state)
            .where(
                tally_snapshot.c.format == SNAPSHOT_FORMAT,
                tally_snapshot.c.rules == self._rules,
                tally_snapshot.c.recorded_through <= as_of,
            )
            .order_by(desc(tally_snapshot.c.facts))
            .limit(1)
        ).first()
        if row is None:
            return None
        tally, frontier = Tally.restored(_load_summary(row.state)), Frontier.from_json(row.frontier)
        changed = tally.moving() | _units_after(session, frontier, as_of)
        before, after = _entities(session, changed, frontier, as_of)
        return counts_since(tally, counting, year, as_of, before, after, changed)

    # --- snapshots (the followers' threads call this after each batch they applied) ----------------

    def snapshot_if_due(self, reading: Opener, transaction: Opener) -> bool:
        """Advance the live world; store a snapshot of it when ``snapshot_every`` facts arrived
        since the newest one, and of its tally when ``tally_every`` did. They are made under the
        lock and written in a short transaction. Snapshots skipped (none stored yet, or many
        intervals missed while the followers caught up) are laid out first (``_lay_out``)."""
        if not self._snapshotting.acquire(blocking=False):
            return False  # another follower's thread is at it
        try:
            laid_out = self._lay_out(reading, transaction)
            with self._lock, reading() as session:
                self._refresh(session)
                frontier = self._frontier
                facts = frontier.facts
                world_due = laid_out["worlds"] or facts - self._snapshotted >= self.snapshot_every
                tally_due = laid_out["tallies"] or (
                    self._counting is not None and facts - self._tallied >= self.tally_every
                )
                if frontier.recorded_through is None or not (world_due or tally_due):
                    return False
                world_row = _dumps_of(self._live).row(self._live, frontier) if world_due else None
                tally_row = self._tally_row(self._live, frontier) if tally_due else None
            if world_row is not None:
                _insert_world(transaction, world_row)
            if tally_row is not None:
                with transaction() as session:
                    session.execute(insert(tally_snapshot).values(**tally_row))
            self._snapshotted = facts if world_due else self._snapshotted
            self._tallied = facts if tally_due else self._tallied
            return True
        finally:
            self._snapshotting.release()

    def _lay_out(self, reading: Opener, transaction: Opener) -> dict[str, bool]:
        """Lay out the snapshots of each kind that the facts call for (``_gap``), from one pass
        over them in recorded order (``_write_history``); say which kinds were. When the live
        world is yet to be made (a cold start, or after a rebuild), that pass makes it: the
        process never holds two worlds of the whole history at once (at 30k events per
        service, the second took the assessment's peak from about 200 to 300 MiB)."""
        with self._lock:
            cold = self._frontier.facts == 0
            facts = self._frontier.facts  # what the live world holds (the caller brings it up to date next)
            upto = None if cold else dict(self._frontier.positions)
            if cold or not self._formats_checked:  # else nothing to read here (after each followed batch)
                with reading() as session:
                    if not self._formats_checked:
                        self._check_formats(session, transaction)
                    if cold:
                        facts = int(session.execute(select(func.count()).select_from(fact)).scalar_one())
        due = {
            "worlds": _gap(facts, self._snapshotted, self.snapshot_every),
            "tallies": self._counting is not None and _gap(facts, self._tallied, self.tally_every),
        }
        if any(due.values()):
            world, frontier = self._write_history(reading, transaction, upto, facts, **due)
            with self._lock:
                if self._frontier.facts == 0 and frontier.facts:  # no question made it meanwhile
                    self._live, self._frontier, self._frozen = world, frontier, 0
        return due

    def _check_formats(self, session: Session, transaction: Opener) -> None:
        stale_worlds = world_snapshot.c.format != SNAPSHOT_FORMAT
        stale_tallies = (tally_snapshot.c.format != SNAPSHOT_FORMAT) | (tally_snapshot.c.rules != (self._rules or ""))
        with transaction() as writing:
            worlds = writing.execute(delete(world_snapshot).where(stale_worlds))
            tallies = writing.execute(delete(tally_snapshot).where(stale_tallies))
        removed = (getattr(worlds, "rowcount", 0), getattr(tallies, "rowcount", 0))
        if any(removed):
            log.info("removed %d world and %d tally snapshots of other code or rules", *removed)
        newest_world = session.execute(select(func.max(world_snapshot.c.facts))).scalar()
        newest_tally = session.execute(select(func.max(tally_snapshot.c.facts))).scalar()
        self._snapshotted, self._tallied = int(newest_world or 0), int(newest_tally or 0)
        self._formats_checked = True

    def _write_history(
        self,
        reading: Opener,
        transaction: Opener,
        upto: dict[str, int] | None,
        facts: int,
        *,
        worlds: bool,
        tallies: bool,
    ) -> tuple[World, Frontier]:
        """World snapshots every ``snapshot_every`` facts (``worlds``) and tally snapshots every
        ``tally_every`` (``tallies``) after the newest stored ones and before the ``facts``-th
        fact, from one pass over the facts in the order they were recorded (each snapshot then
        ends near one instant in every upstream, so the delta of a past question is short), up
        to the ``upto`` positions (None: every fact stored). Returns the world of that pass."""
        world, frontier = _dumping(World()), Frontier()
        written = {"world": 0, "tally": 0}
        with reading() as session:
            rows = session.execute(
                select(fact.c.upstream, fact.c.position, fact.c.type, fact.c.stream_id, fact.c.data)
                .add_columns(fact.c.occurred_at, fact.c.recorded_at)
                .order_by(fact.c.recorded_at, fact.c.upstream, fact.c.position)
                .execution_options(yield_per=5000)
            )
            for upstream, *row in rows:
                if upto is not None and row[0] > upto.get(upstream, 0):
                    continue  # arrived after the live world was copied: the next snapshot has it
                _fold(world, frontier, upstream, row)
                if frontier.facts >= facts:
                    continue  # the snapshots at the live world's head are written by the caller
                if worlds and frontier.facts > self._snapshotted and frontier.facts % self.snapshot_every == 0:
                    _insert_world(transaction, _dumps_of(world).row(world, frontier))
                    written["world"] += 1
                if tallies and frontier.facts > self._tallied and frontier.facts % self.tally_every == 0:
                    with transaction() as writing:
                        writing.execute(insert(tally_snapshot).values(**self._tally_row(world, frontier)))
                    written["tally"] += 1
        log.info("laid out %d world and %d tally snapshots", written["world"], written["tally"])
        return world, frontier

    def _tally_row(self, world: World, frontier: Frontier) -> dict[str, Any]:
        assert self._counting is not None
        assert self._rules is not None
        summary = tally_of(world, self._counting).summary()
        return {
            **_snapshot_row(frontier),
            "rules": self._rules,
            "state": zlib.compress(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL), 3),
        }


def _freeze() -> None:
    """Collect, then move every object alive into the collector's permanent generation
    (``gc.freeze``). The live world is most of the process's objects and lives as long as it: each
    full pass of the cyclic collector walked all of it, a pause of every thread that grew with
    the history (at 30k events per service: 170-240 ms in a past league or a breakdown). Frozen
    objects are still freed when nothing refers to them; only a cycle among them that becomes
    garbage stays (the live world holds none: its followers do not refer back to it). Collecting
    first freezes nothing that is garbage already."""
    started = perf_counter()
    gc.collect()
    gc.freeze()
    log.info("froze %d long-lived objects in %.0f ms", gc.get_freeze_count(), (perf_counter() - started) * 1000)


def _heads(session: Session, frontier: Frontier) -> tuple[bool, tuple[str, ...]]:
    """One statement a question asks before anything else: whether a fact the live world applied
    is gone (facts only grow, except by a rebuild: the last one applied of each upstream, looked up
    by key), and which upstreams have facts it has not applied (each one's newest position, read
    from the end of its key)."""
    applied = frontier.positions
    present: Any = literal(0)
    if applied:
        last = or_(*(and_(fact.c.upstream == u, fact.c.position == p) for u, p in applied.items()))
        present = select(func.count()).select_from(fact).where(last).scalar_subquery()
    newest = [select(func.max(fact.c.position)).where(fact.c.upstream == u).scalar_subquery() for u in UPSTREAMS]
    found, *heads = session.execute(select(present, *newest)).one()
    stale = found < len(applied)
    after = {} if stale else applied
    return stale, tuple(u for u, head in zip(UPSTREAMS, heads, strict=True) if (head or 0) > after.get(u, 0))


def _gap(facts: int, newest: int, every: int) -> bool:
    """Whether the facts since the newest snapshot call for laying snapshots out: none stored yet,
    or many intervals missed (the followers were catching up, and snapshots wait for that)."""
    return facts >= 2 * every and (newest == 0 or facts - newest >= 10 * every)


class _Dumps:
    """What a world that writes snapshots has changed since its newest stored one (a follower
    of the world, ``World.followers``): a world snapshot holds only that (``World.dump`` with
    ``since``), over the snapshot it extends (``base``), so the snapshots of a history take the
    size of the history, not of the world times their number (which grew as its square)."""

    def __init__(self) -> None:
        self.base: int | None = None  # the id of the newest snapshot stored of this world
        self.sizes: dict[str, int] = {}  # each part's size in it
        self.changed: set[tuple[str, str]] = set()  # entities changed since (kept once there is a base)
        self._keeping = False

    def touch(self, part: str, key: str) -> None:
        if self._keeping:
            self.changed.add((part, key))

    def stored_as(self, ident: int, world: World) -> None:
        """``world`` is, as it stands, the world of snapshot ``ident`` (loaded from it)."""
        self.base, self.sizes = ident, _sizes(world)
        self.changed, self._keeping = set(), True

    def row(self, world: World, frontier: Frontier) -> tuple[dict[str, Any], Callable[[int | None], None]]:
        """A snapshot's row of ``world`` (under the lock that guards it), and what to call once
        it is stored (with its id) or was not (None): the changes dumped are kept until then."""
        since, dumped, sizes = (None if self.base is None else self.sizes), self.changed, _sizes(world)
        row = {
            **_snapshot_row(frontier),
            "base": self.base,
            "state": world.dump(since, dumped),
        }
        self.changed, self._keeping = set(), True

        def stored(ident: int | None) -> None:
            if ident is not None:
                self.base, self.sizes = ident, sizes
            elif self.base is None:  # the next one is whole again
                self.changed, self._keeping = set(), False
            else:
                self.changed |= dumped

        return row, stored


def _snapshot_row(frontier: Frontier) -> dict[str, Any]:
    """What a snapshot's row of either kind says of what it holds: its code and where it stands."""
    return {
        "format": SNAPSHOT_FORMAT,
        "facts": frontier.facts,
        "recorded_through": frontier.recorded_through,
        "frontier": frontier.as_json(),
    }


def _sizes(world: World) -> dict[str, int]:
    return {part: len(entities) for part, entities in world.parts()}


def _dumping(world: World) -> World:
    """``world``, keeping what it changes between its snapshots."""
    world.followers["dumps"] = _Dumps()
    return world


def _dumps_of(world: World) -> _Dumps:
    dumps = world.followers["dumps"]
    assert isinstance(dumps, _Dumps), "a world that writes snapshots keeps its changes (_dumping)"
    return dumps


def _insert_world(transaction: Opener, made: tuple[dict[str, Any], Callable[[int | None], None]]) -> None:
    """Store a world snapshot's row, made by ``_Dumps.row``, and tell its world whether it was."""
    row, stored = made
    try:
        with transaction() as session:
            ident = session.execute(insert(world_snapshot).values(**row).returning(world_snapshot.c.id)).scalar_one()
    except BaseException:
        stored(None)
        raise
    stored(int(ident))


def _load_summary(state: bytes) -> dict[str, Any]:
    # Our own store's bytes, written by ``_tally_row`` of this SNAPSHOT_FORMAT: never another party's.
    summary: dict[str, Any] = pickle.loads(zlib.decompress(state))  # noqa: S301
    return summary


def rules_fingerprint(counting: Counting) -> str:
    """Which rules a stored tally was counted with (the scheme's thresholds, the law, the calendar)."""
    return hashlib.sha256(repr(counting.key).encode("utf-8")).hexdigest()[:32]


def _stream_facts(session: Session, condition: Any, as_of: datetime) -> list[tuple[str, Any]]:
    """(upstream, [position, type, stream_id, data, occurred_at]) of the facts recorded by ``as_of``."""
    rows = session.execute(
        select(fact.c.upstream, fact.c.position, fact.c.type, fact.c.stream_id, fact.c.data, fact.c.occurred_at).where(
            condition, fact.c.recorded_at <= as_of
        )
    )
    return [(upstream, row) for upstream, *row in rows]


_CHUNK = 500  # keys per IN list


def _facts_of(session: Session, streams: set[str], as_of: datetime) -> list[tuple[str, Any]]:
    """Every fact of ``streams`` recorded by ``as_of``."""
    found: list[tuple[str, Any]] = []
    for chunk in _chunks(streams):
        found += _stream_facts(session, fact.c.stream_id.in_(chunk), as_of)
    return found


def _streams_where(session: Session, column: Any, keys: set[str], as_of: datetime) -> set[str]:
    """The streams with a fact recorded by ``as_of`` whose ``column`` is one of ``keys``."""
    streams: set[str] = set()
    for chunk in _chunks(keys):
        condition = and_(column.in_(chunk), fact.c.recorded_at <= as_of)
        streams |= set(session.execute(select(fact.c.stream_id).where(condition).distinct()).scalars())
    return streams


def _chunks(keys: set[str]) -> Iterator[list[str]]:
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _replayed(facts: list[tuple[str, Any]]) -> World:
    """A world of ``facts`` ((upstream, [position, type, stream_id, data, occurred_at])), applied
    in position order per upstream."""
    world = World()
    for _, (_, type_, stream, data, occurred_at) in sorted(facts, key=lambda f: (f[0], f[1][0])):
        world.apply(type_, stream, data, occurred_at)
    return world


def _department_world(session: Session, department: str, as_of: datetime) -> World:
    """What ``department``'s breakdown at ``as_of`` depends on, each entity replayed from its own
    facts recorded by ``as_of``:

    - the entities with a fact of the department (a request's steps count for the department its
      first fact names, an incident for each lead it had: the judge keeps those it leads at
      ``as_of``);
    - the records under the department's catalogue items (coverage: whichever department drafted
      them);
    - the interpretations of the department's records (a policy's sync, whoever interprets it).

    Any other entity changes none of the department's counts or violations, and entities keep the
    order of their first facts, so the judge explains the department exactly as over the world
    of every fact (``tests/assessment/test_worlds.py`` compares them at every instant)."""
    own = _streams_where(session, fact.c.department, {department}, as_of)
    facts = _facts_of(session, own, as_of)
    codes = {row[3]["code"] for _, row in facts if PART_OF.get(row[1]) == "items" and "code" in row[3]}
    records = {row[2] for _, row in facts if PART_OF.get(row[1]) == "records"}
    related = _streams_where(session, fact.c.item_code, codes, as_of) | _streams_where(
        session, fact.c.refers_to, records, as_of
    )
    return _replayed(facts + _facts_of(session, related - own, as_of))


def _entities(session: Session, changed: set[Unit], frontier: Frontier, as_of: datetime) -> tuple[World, World]:
    """The ``changed`` entities (with the policy record of each interpretation among them, added
    to ``changed``, and the interpretations of each record) as they were at ``frontier`` and as
    they are at ``as_of``, each replayed from its own facts."""
    first = {key for _, key in changed}
    facts = _facts_of(session, first, as_of)
    policies = {
        row[3]["policy_record_id"]
        for _, row in facts
        if PART_OF.get(row[1]) == "interpretations" and "policy_record_id" in row[3]
    }
    changed |= {("records", policy) for policy in policies}
    records = {key for part, key in changed if part == "records"}
    interpretations = _streams_where(session, fact.c.refers_to, records, as_of)
    facts += _facts_of(session, (policies | interpretations) - first, as_of)
    at_frontier = [(upstream, row) for upstream, row in facts if row[0] <= frontier.positions.get(upstream, 0)]
    return _replayed(at_frontier), _replayed(facts)
