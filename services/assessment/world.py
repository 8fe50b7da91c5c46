"""The upstream world as the assessment sees it at an instant: facts replayed into plain state.

Only facts recorded (upstream) by ``as_of`` are replayed, so a question about a past instant
gets exactly the answer the platform could have given then.
"""

from __future__ import annotations

import gzip
import io
import itertools
import pickle
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from shared.rules.opinion import IncidentClock
from shared.rules.requests import RequestClock
from shared.rules.time import TimeLimit


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(slots=True)
class RecordFact:
    department: str
    category: str
    formed_on: date
    time_limit: TimeLimit | None
    disclosure: str
    needs_interpretation: bool
    item_code: str | None
    published_at: datetime | None = None
    revoked_unpublished: bool = False


@dataclass(slots=True)
class ItemFact:
    department: str
    code: str
    retired: bool = False


@dataclass(slots=True)
class ProposalFact:
    department: str
    replied_on: date
    published_at: datetime | None = None


@dataclass(slots=True)
class InterpretationFact:
    department: str
    policy_record_id: str
    principal: bool
    published_at: datetime | None = None
    withdrawn: bool = False


@dataclass(slots=True)
class IncidentFact:
    lead_department: str | None
    clock: IncidentClock
    rating: str | None = None
    findings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RequestFact:
    department: str
    clock: RequestClock


class Follower(Protocol):
    """State kept from the world's facts (``services.assessment.tallies``): told each changed fact."""

    def touch(self, part: str, key: str) -> None: ...


@dataclass
class World:
    records: dict[str, RecordFact] = field(default_factory=dict)
    items: dict[str, ItemFact] = field(default_factory=dict)
    proposals: dict[str, ProposalFact] = field(default_factory=dict)
    interpretations: dict[str, InterpretationFact] = field(default_factory=dict)
    incidents: dict[str, IncidentFact] = field(default_factory=dict)
    requests: dict[str, RequestFact] = field(default_factory=dict)
    changes: int = 0  # facts that changed it
    # The newest ``recorded_at`` of the facts applied, when the world was built from stored facts
    # with their instants (``services.assessment.worlds``); None for a replay without them.
    clock: datetime | None = field(default=None, compare=False)
    # What is kept up to date from the facts, by key (the judge's tallies, one per scheme's rules).
    followers: dict[Any, Follower] = field(default_factory=dict, repr=False, compare=False)
    # what is worked out from the facts, by what works it out (``kept``), with the version it is of
    _kept: dict[Any, tuple[int, Any]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def replay(cls, facts: Iterable[tuple[str, str, dict[str, Any], datetime]]) -> World:
        """``facts``: (type, stream_id, data, occurred_at) in upstream order, limited to ``as_of``."""
        world = cls()
        for type_, stream, data, occurred_at in facts:
            world.apply(type_, stream, data, occurred_at)
        return world

    def apply(self, type_: str, stream: str, data: dict[str, Any], occurred_at: datetime) -> None:
        """Fold one fact (facts of types the judgement does not use change nothing)."""
        handled = _HANDLERS.get(type_)
        if handled is not None:
            part, handler = handled
            handler(self, stream, data, occurred_at)
            self.changes += 1
            for follower in self.followers.values():
                follower.touch(part, stream)

    def dump(self, since: Mapping[str, int] | None = None, changed: Iterable[tuple[str, str]] = ()) -> bytes:
        """The world's facts (not what is kept from them: indexes, tallies) as gzip-compressed
        pickles: a header, then its entities ``DUMP_FRAME`` at a time, each frame a pickle of its
        own (one pickle of the whole world kept a copy of every entity's state in the pickler's
        memo until it was done: 81 MiB more at 90k facts, 5 MiB in frames).

        ``since``: each part's size at an earlier dump, with the entities ``changed`` since then
        (by part and key): only what differs from that dump is written, a delta for ``load`` into
        its world. Entities are never removed, so those added since are the last of each part,
        in the order they came (the order the judge goes through them); the others changed keep
        their place when loaded."""
        chosen: list[tuple[str, dict[str, Any]]] = list(self.parts())
        if since is not None:
            keys: dict[str, set[str]] = {part: set() for part in PARTS}
            for part, key in changed:
                keys[part].add(key)
            delta = []
            for part, entities in chosen:
                added = dict(itertools.islice(entities.items(), since.get(part, 0), None))
                kept = {key: entities[key] for key in sorted(keys[part]) if key in entities and key not in added}
                delta.append((part, {**kept, **added}))
            chosen = delta
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=3, mtime=0) as stream:
            pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump((self.changes, self.clock, [(part, len(entities)) for part, entities in chosen]))
            pickler.clear_memo()
            for _, entities in chosen:
                items = iter(entities.items())
                while frame := tuple(itertools.islice(items, DUMP_FRAME)):
                    pickler.dump(frame)
                    pickler.clear_memo()
        return buffer.getvalue()

    @classmethod
    def load(cls, state: bytes, into: World | None = None) -> World:
        """The world ``dump`` wrote (our own store's bytes: never another party's); ``into``: the
        world of the dump a delta was written over, which it then updates and becomes."""
        world = cls() if into is None else into
        with gzip.GzipFile(fileobj=io.BytesIO(state), mode="rb") as stream:
            world.changes, world.clock, sizes = pickle.Unpickler(stream).load()  # noqa: S301
            for part, size in sizes:
                if part not in PARTS:
                    raise pickle.UnpicklingError(f"not a part of a world: {part!r}")
                entities, loaded = getattr(world, part), 0
                while loaded < size:  # each frame was pickled with a memo of its own
                    frame = pickle.Unpickler(stream).load()  # noqa: S301
                    entities.update(frame)
                    loaded += len(frame)
        return world

    def parts(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each part of the world by name, with its entities by key."""
        for part in PARTS:
            yield part, getattr(self, part)

    def kept(self, build: Callable[..., Any], *args: Hashable) -> Any:
        """``build(self, *args)``, kept until the next fact changes the world (the judge's indexes
        of the whole world: a live world is judged many times between two facts)."""
        key = (build, *args)
        kept = self._kept.get(key)
        if kept is None or kept[0] != self.changes:
            kept = self._kept[key] = (self.changes, build(self, *args))
        return kept[1]


DUMP_FRAME = 1_000  # entities per pickle in ``World.dump``

Handler = Callable[[World, str, dict[str, Any], datetime], None]


def _name(value: Any) -> Any:
    """A department, category or other name many entities share: one string object for all
    (``sys.intern``), not one per decoded fact. Anything but a string (None) as it is."""
    return sys.intern(value) if type(value) is str else value


def _time_limit(d: dict[str, Any]) -> TimeLimit | None:
    """``time_limit`` since RecordDrafted v3; v2 recorded ``time_limit_working_days`` (v1 neither)."""
    if "time_limit" in d:
        return TimeLimit.of(d["time_limit"])
    days = d.get("time_limit_working_days")
    return None if days is None else TimeLimit(int(days))


def _record_drafted(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.records[s] = RecordFact(
        _name(d["department"]),
        _name(d.get("category", "")),
        date.fromisoformat(d["formed_on"]),
        _time_limit(d),
        _name(d["disclosure"]),
        bool(d["needs_interpretation"]),
        _name(d.get("item_code")),
    )


def _record_published(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.records:
        w.records[s].published_at = _moment(d["published_at"])


def _record_revoked(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.records and w.records[s].published_at is None:
        w.records[s].revoked_unpublished = True


def _item_registered(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.items[s] = ItemFact(_name(d["department"]), _name(d["code"]))


def _item_retired(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.items:
        w.items[s].retired = True


def _proposal_recorded(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.proposals[s] = ProposalFact(_name(d["handler_department"]), date.fromisoformat(d["replied_on"]))


def _proposal_published(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.proposals:
        w.proposals[s].published_at = _moment(d["published_at"])


def _interpretation_drafted(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.interpretations[s] = InterpretationFact(
        _name(d["department"]), d["policy_record_id"], bool(d["interpreter"].get("principal"))
    )


def _interpretation_published(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.interpretations:
        w.interpretations[s].published_at = _moment(d["published_at"])


def _interpretation_withdrawn(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.interpretations:
        w.interpretations[s].withdrawn = True


def _incident_reported(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.incidents[s] = IncidentFact(_name(d.get("lead_department")), IncidentClock.reported(d))


def _incident_step(fact: str) -> Handler:
    def handle(w: World, s: str, d: dict[str, Any], occurred_at: datetime) -> None:
        if s in w.incidents:
            w.incidents[s].clock.apply(fact, d, occurred_at=occurred_at)

    return handle


def _incident_assigned(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.incidents:
        w.incidents[s].lead_department = _name(d["lead_department"])


def _incident_evaluated(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    if s in w.incidents:
        w.incidents[s].rating, w.incidents[s].findings = d["rating"], list(d.get("findings", []))


def _request_received(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
    w.requests[s] = RequestFact(_name(d["department"]), RequestClock.received(d))


def _request_step(fact: str) -> Handler:
    def handle(w: World, s: str, d: dict[str, Any], _: datetime) -> None:
        if s in w.requests:
            w.requests[s].clock.apply(fact, d)

    return handle


# Each scored fact type: the part of the world it changes (its entities are keyed by the fact's
# stream) and how.
_HANDLERS: dict[str, tuple[str, Handler]] = {
    "catalogue.RecordDrafted": ("records", _record_drafted),
    "catalogue.RecordPublished": ("records", _record_published),
    "catalogue.RecordRevoked": ("records", _record_revoked),
    "catalogue.CatalogueItemRegistered": ("items", _item_registered),
    "catalogue.CatalogueItemRetired": ("items", _item_retired),
    "catalogue.ProposalReplyRecorded": ("proposals", _proposal_recorded),
    "catalogue.ProposalReplyPublished": ("proposals", _proposal_published),
    "interpretation.InterpretationDrafted": ("interpretations", _interpretation_drafted),
    "interpretation.InterpretationPublished": ("interpretations", _interpretation_published),
    "interpretation.InterpretationWithdrawn": ("interpretations", _interpretation_withdrawn),
    "opinion.IncidentReported": ("incidents", _incident_reported),
    "opinion.IncidentAssigned": ("incidents", _incident_assigned),
    "opinion.IncidentEvaluated": ("incidents", _incident_evaluated),
    **{f"opinion.Incident{fact}": ("incidents", _incident_step(fact)) for fact in IncidentClock.FACTS},
    "catalogue.InformationRequestReceived": ("requests", _request_received),
    **{f"catalogue.InformationRequest{fact}": ("requests", _request_step(fact)) for fact in RequestClock.FACTS},
}
SCORED_TYPES = tuple(_HANDLERS)
PART_OF = {type_: part for type_, (part, _) in _HANDLERS.items()}  # the part each scored fact type changes

# Which parts of the world each upstream's facts change: disjoint, so facts of different upstreams
# commute (``services.assessment.worlds`` relies on it; tests/assessment/test_worlds.py checks it).
HANDLED_BY_UPSTREAM = {
    "catalogue": frozenset({"records", "items", "proposals", "requests"}),
    "interpretation": frozenset({"interpretations"}),
    "opinion": frozenset({"incidents"}),
}
UPSTREAMS = tuple(HANDLED_BY_UPSTREAM)  # the services the assessment follows, in the order it replays them
PARTS = tuple(sorted(frozenset[str]().union(*HANDLED_BY_UPSTREAM.values())))  # the world's parts, by name
