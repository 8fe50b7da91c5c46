"""Worlds at any instant without replaying the whole history.

A judgement needs the ``World`` of the facts recorded by ``as_of``. Replaying every fact for
every question costs the whole history each time; instead:

- **the live world** (every fact the followers have stored) is kept in memory and advanced by
  the facts after the positions it has seen, so a live question replays nothing;
- **snapshots**: every ``assessment_snapshot_every_facts`` facts, a copy of the live world is
  stored (``assessment_world_snapshot``) with the position it reached in each upstream and the
  newest ``recorded_at`` among its facts (``recorded_through``). A question about a past
  instant starts from the fullest snapshot recorded through that instant and replays only the
  facts after its positions that were recorded by then.

Why a snapshot plus its delta is the world a replay from scratch gives:

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

Snapshots are a cache: they are written outside the follower's transaction, one that is lost
costs only time, and a snapshot of another ``SNAPSHOT_FORMAT`` (the code of the world changed)
is never read: the next ``advance`` removes them and writes new ones from the facts.
"""

from __future__ import annotations

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
from typing import Any

from sqlalchemy import and_, delete, desc, insert, select
from sqlalchemy.orm import Session

from services.assessment import counting, tallies
from services.assessment import world as world_module
from services.assessment.read_models import fact, world_snapshot
from services.assessment.world import SCORED_TYPES, UPSTREAMS, World
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


def _facts_after(session: Session, frontier: Frontier, as_of: datetime | None) -> Iterator[tuple[str, Any]]:
    """Facts after ``frontier`` (recorded by ``as_of`` when given), per upstream in position order."""
    for upstream in UPSTREAMS:
        after = frontier.positions.get(upstream, 0)
        condition = and_(fact.c.upstream == upstream, fact.c.position > after)
        if as_of is not None:
            condition = and_(condition, fact.c.recorded_at <= as_of)
            if upstream in frontier.recorded:  # the index range: recorded_at never decreases along a log
                condition = and_(condition, fact.c.recorded_at >= frontier.recorded[upstream])
        rows = session.execute(
            select(fact.c.position, fact.c.type, fact.c.stream_id, fact.c.data, fact.c.occurred_at, fact.c.recorded_at)
            .where(condition)
            .order_by(fact.c.position)
            .execution_options(yield_per=5000)
        )
        for row in rows:
            yield upstream, row


def advance(world: World, frontier: Frontier, session: Session, as_of: datetime | None = None) -> int:
    """Apply the facts after ``frontier`` (recorded by ``as_of`` when given) to ``world``; move the frontier."""
    applied = 0
    for upstream, row in _facts_after(session, frontier, as_of):
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


def _dump(world: World) -> bytes:
    return zlib.compress(pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL), 3)


def _load(state: bytes) -> World:
    # Our own store's bytes, written by ``_dump`` of this SNAPSHOT_FORMAT: never another party's.
    world: World = pickle.loads(zlib.decompress(state))  # noqa: S301
    return world


class Worlds:
    """The assessment's worlds: the live one in memory and the snapshots in its store."""

    def __init__(self, snapshot_every: int, prepare: Callable[[World], object] | None = None) -> None:
        """``prepare``: what to bring up to date in a world before it is stored (the tallies of the
        default scheme, so a past question counts only the facts after its snapshot)."""
        self.snapshot_every = snapshot_every
        self._prepare = prepare
        self._lock = threading.RLock()  # the live world: advanced and judged one at a time
        self._live = World(lasting=True)
        self._frontier = Frontier()
        self._snapshotted = 0  # facts in the newest snapshot of this format, once known
        self._formats_checked = False
        self._snapshotting = threading.Lock()

    @contextmanager
    def at(self, session: Session, as_of: datetime) -> Iterator[World]:
        """The world of the facts recorded by ``as_of``, for the duration of the ``with``."""
        with self._lock:
            self._refresh(session)
            newest = self._frontier.recorded_through
            if newest is None or newest <= as_of:
                yield self._live
                return
        yield self._past(session, as_of)

    def _refresh(self, session: Session) -> None:
        if self._stale(session):
            log.info("the facts were replaced (a rebuild?): the live world and its snapshots start again")
            self._live, self._frontier = World(lasting=True), Frontier()
            self._snapshotted, self._formats_checked = 0, False  # the snapshots went with the facts
        advance(self._live, self._frontier, session)

    def _stale(self, session: Session) -> bool:
        """True when a fact this world applied is gone (facts only grow, except by a rebuild)."""
        for upstream, position in self._frontier.positions.items():
            present = session.execute(
                select(fact.c.position).where(fact.c.upstream == upstream, fact.c.position == position)
            ).first()
            if present is None:
                return True
        return False

    def _past(self, session: Session, as_of: datetime) -> World:
        row = session.execute(
            select(world_snapshot.c.frontier, world_snapshot.c.state)
            .where(world_snapshot.c.format == SNAPSHOT_FORMAT, world_snapshot.c.recorded_through <= as_of)
            .order_by(desc(world_snapshot.c.facts))
            .limit(1)
        ).first()
        if row is None:
            world, frontier = World(), Frontier()
        else:
            world, frontier = _load(row.state), Frontier.from_json(row.frontier)
        advance(world, frontier, session, as_of)
        return world

    # --- snapshots (the followers' threads call this after each batch they applied) ----------------

    def snapshot_if_due(self, reading: Opener, transaction: Opener) -> bool:
        """Advance the live world; store a snapshot of it when ``snapshot_every`` facts arrived
        since the newest one. The world is copied under the lock, written in a short transaction."""
        if not self._snapshotting.acquire(blocking=False):
            return False  # another follower's thread is at it
        try:
            with self._lock, reading() as session:
                if not self._formats_checked:
                    self._check_formats(session, transaction)
                self._refresh(session)
                frontier = self._frontier
                if frontier.recorded_through is None or frontier.facts - self._snapshotted < self.snapshot_every:
                    return False
                lay_out_history = self._snapshotted == 0 and frontier.facts >= 2 * self.snapshot_every
                row = self._row(self._live, frontier)
                upto = dict(frontier.positions)
            if lay_out_history:  # no snapshot of this code yet: lay them out from the start
                self._write_history(reading, transaction, upto, row["facts"])
            with transaction() as session:
                session.execute(insert(world_snapshot).values(**row))
            self._snapshotted = row["facts"]
            return True
        finally:
            self._snapshotting.release()

    def _check_formats(self, session: Session, transaction: Opener) -> None:
        if session.execute(select(world_snapshot.c.id).where(world_snapshot.c.format != SNAPSHOT_FORMAT)).first():
            with transaction() as writing:
                removed = writing.execute(delete(world_snapshot).where(world_snapshot.c.format != SNAPSHOT_FORMAT))
            log.info("removed %d world snapshots of an earlier format", getattr(removed, "rowcount", -1))
        newest = session.execute(
            select(world_snapshot.c.facts).order_by(desc(world_snapshot.c.facts)).limit(1)
        ).scalar()
        self._snapshotted = int(newest or 0)
        self._formats_checked = True

    def _write_history(self, reading: Opener, transaction: Opener, upto: dict[str, int], facts: int) -> None:
        """Snapshots every ``snapshot_every`` facts before the ``upto`` positions, from one pass
        over the facts in the order they were recorded (each snapshot then ends near one instant in
        every upstream, so the delta of a past question is short)."""
        world, frontier = World(), Frontier()
        with reading() as session:
            rows = session.execute(
                select(fact.c.upstream, fact.c.position, fact.c.type, fact.c.stream_id, fact.c.data)
                .add_columns(fact.c.occurred_at, fact.c.recorded_at)
                .order_by(fact.c.recorded_at, fact.c.upstream, fact.c.position)
                .execution_options(yield_per=5000)
            )
            for upstream, *row in rows:
                if row[0] > upto.get(upstream, 0):
                    continue  # arrived after the live world was copied: the next snapshot has it
                _fold(world, frontier, upstream, row)
                if frontier.facts % self.snapshot_every == 0 and frontier.facts < facts:
                    with transaction() as writing:
                        writing.execute(insert(world_snapshot).values(**self._row(world, frontier)))
        log.info("laid out %d world snapshots", frontier.facts // self.snapshot_every)

    def _row(self, world: World, frontier: Frontier) -> dict[str, Any]:
        if self._prepare is not None and world.clock is not None:
            self._prepare(world)
        return _row(world, frontier)


def _row(world: World, frontier: Frontier) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "facts": frontier.facts,
        "recorded_through": frontier.recorded_through,
        "frontier": frontier.as_json(),
        "state": _dump(world),
    }
