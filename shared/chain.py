"""The hash chain over a service's events.

For the event at ``position``::

    hash = H(prev_hash || canonical_bytes({"position", "stream_id", "version", "type",
                                           "recorded_at", "data"}))

where ``prev_hash`` is the hex hash of the previous event (64 zeros for the first), ``||`` is
concatenation of the ASCII hex text and the canonical UTF-8 JSON bytes, and H is SM3
(GB/T 32905) or SHA-256. Everything hashed is shown in the feed, so anyone holding the feed
can recompute the chain without access to the database.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

from shared.jsondata import canonical_bytes

GENESIS_HASH = "0" * 64


def chain_table(metadata: MetaData, service: str) -> Table:
    return Table(
        f"{service}_chain",
        metadata,
        Column("position", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        Column("recorded_at", String(32), nullable=False),
    )


@dataclass(frozen=True)
class EventFacts:
    """What the chain covers of one event (the feed shows exactly these)."""

    position: int
    stream_id: str
    version: int
    type: str
    recorded_at: str
    data: dict[str, Any]

    def canonical(self) -> bytes:
        return canonical_bytes(
            {
                "position": self.position,
                "stream_id": self.stream_id,
                "version": self.version,
                "type": self.type,
                "recorded_at": self.recorded_at,
                "data": self.data,
            }
        )


class Hasher:
    def __init__(self, algorithm: str) -> None:
        if algorithm not in ("sm3", "sha256"):
            raise ValueError(f"unsupported hash algorithm {algorithm!r}")
        if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
            raise RuntimeError("SM3 needs an OpenSSL with SM3; set OPENNESS_HASH_ALGORITHM=sha256")
        self.algorithm = algorithm

    def link(self, prev_hash: str, facts: EventFacts) -> str:
        digest = hashlib.new(self.algorithm)
        digest.update(prev_hash.encode("ascii"))
        digest.update(facts.canonical())
        return digest.hexdigest()


@dataclass(frozen=True)
class ChainLink:
    position: int
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_position: int | None
    head_hash: str
    first_broken_position: int | None = None
    reason: str | None = None


def verify_links(hasher: Hasher, rows: Iterable[tuple[ChainLink | None, EventFacts | None, int]]) -> VerifyResult:
    """Walk (stored link, recomputed facts, position) in position order; stop at the first break.

    A missing event (deleted row), a missing link, a wrong ``prev_hash`` (a deleted or
    reordered pair) and a wrong ``hash`` (altered data) are all breaks.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    last_position: int | None = None
    for link, facts, position in rows:
        reason = _break_reason(hasher, expected_prev, link, facts)
        if reason is not None:
            return VerifyResult(False, checked, last_position, expected_prev, position, reason)
        assert link is not None
        expected_prev = link.hash
        last_position = position
        checked += 1
    return VerifyResult(True, checked, last_position, expected_prev)


def _break_reason(hasher: Hasher, expected_prev: str, link: ChainLink | None, facts: EventFacts | None) -> str | None:
    if link is None:
        return "event has no chain link"
    if facts is None:
        return "chain link has no event (deleted or unreadable)"
    if link.prev_hash != expected_prev:
        return "prev_hash does not match the previous event (deleted or reordered)"
    if hasher.link(link.prev_hash, facts) != link.hash:
        return "hash does not match the event's content (altered)"
    return None


def merge_by_position(
    links: Iterator[ChainLink], events: Iterator[EventFacts | tuple[int, None]]
) -> Iterator[tuple[ChainLink | None, EventFacts | None, int]]:
    """Full outer join of two position-ordered streams."""
    link = next(links, None)
    item = next(events, None)
    while link is not None or item is not None:
        event_position = None if item is None else (item.position if isinstance(item, EventFacts) else item[0])
        facts = item if isinstance(item, EventFacts) else None
        if link is not None and (event_position is None or link.position < event_position):
            yield link, None, link.position
            link = next(links, None)
        elif link is None or (event_position is not None and event_position < link.position):
            assert event_position is not None
            yield None, facts, event_position
            item = next(events, None)
        else:
            yield link, facts, link.position
            link, item = next(links, None), next(events, None)


def sign_head(key: bytes, service: str, position: int | None, head_hash: str) -> str:
    message = f"{service}:{position if position is not None else 0}:{head_hash}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
