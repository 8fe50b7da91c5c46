"""The hash chain over a service's events, and the Merkle tree over the chain.

For the event at ``position``::

    hash = H(prev_hash || canonical_bytes(link_fields(item, chain_format)))

where ``prev_hash`` is the hex hash of the previous event (64 zeros for the first), ``||`` is
concatenation of the ASCII hex text and the canonical UTF-8 JSON bytes, and H is SM3
(GB/T 32905) or SHA-256. ``item`` is the feed item as served; which of its fields a link
covers is versioned by ``chain_format`` (recorded per event, shown in the feed):

- format 1 (events recorded before 2026-11-28): ``position``, ``stream_id``, ``version`` (the
  ``stream_version``), ``type``, ``recorded_at``, ``data``;
- format 2: every field of the feed item but ``hash``, ``prev_hash`` and ``chain_format`` itself
  (``position``, ``event_id``, ``stream_id``, ``stream_version``, ``type``, ``schema_version``,
  ``occurred_at``, ``recorded_at``, ``data``).

Leaf ``i`` of the service's RFC 6962 Merkle tree (``shared.merkle``) is the raw bytes of the
``i``-th event's chain hash, so the tree commits to the chain and the chain to every byte of
each event. Anyone holding the feed can recompute all of it without the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
)

from shared import merkle
from shared.jsondata import fast_canonical_bytes

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = 2  # what new events are recorded with
_FORMAT_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("position", "stream_id", "version", "type", "recorded_at", "data"),
    2: (
        "position",
        "event_id",
        "stream_id",
        "stream_version",
        "type",
        "schema_version",
        "occurred_at",
        "recorded_at",
        "data",
    ),
}
_Position = BigInteger().with_variant(Integer(), "sqlite")


def chain_table(metadata: MetaData, service: str) -> Table:
    return Table(
        f"{service}_chain",
        metadata,
        Column("position", _Position, primary_key=True, autoincrement=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        Column("recorded_at", String(32), nullable=False),
        Column("chain_format", SmallInteger, nullable=False),
        Column("leaf_index", _Position, nullable=False, unique=True),
    )


def merkle_table(metadata: MetaData, service: str) -> Table:
    """Every perfect subtree of the Merkle tree, once: (level, index) -> SHA-256 (32 bytes)."""
    return Table(
        f"{service}_merkle",
        metadata,
        Column("level", SmallInteger, nullable=False),
        Column("idx", _Position, nullable=False),
        Column("hash", LargeBinary(32), nullable=False),
        PrimaryKeyConstraint("level", "idx"),
    )


def checkpoint_table(metadata: MetaData, service: str) -> Table:
    """Every checkpoint the service signed and handed out: the history it committed to."""
    return Table(
        f"{service}_checkpoint",
        metadata,
        Column("tree_size", _Position, primary_key=True, autoincrement=False),
        Column("root", LargeBinary(32), nullable=False),
        Column("note", String(2000), nullable=False),
        Column("signed_at", String(32), nullable=False),
    )


def link_fields(item: Mapping[str, Any], chain_format: int) -> dict[str, Any]:
    fields = _FORMAT_FIELDS.get(chain_format)
    if fields is None:
        raise ValueError(f"unknown chain_format {chain_format!r}")
    if chain_format == 1:
        return {name: item["stream_version" if name == "version" else name] for name in fields}
    return {name: item[name] for name in fields}


class Hasher:
    def __init__(self, algorithm: str) -> None:
        if algorithm not in ("sm3", "sha256"):
            raise ValueError(f"unsupported hash algorithm {algorithm!r}")
        if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
            raise RuntimeError("SM3 needs an OpenSSL with SM3; set OPENNESS_HASH_ALGORITHM=sha256")
        self.algorithm = algorithm

    def link(self, prev_hash: str, item: Mapping[str, Any], chain_format: int) -> str:
        """The link hash, over the canonical bytes (``fast_canonical_bytes`` writes exactly those)."""
        return self._digest(prev_hash, fast_canonical_bytes(link_fields(item, chain_format)))

    def matches(self, item: Mapping[str, Any], chain_format: int) -> bool:
        """Whether ``item["hash"]`` is the link of ``item`` (over the reference canonical bytes,
        written by the fast encoder where it writes exactly those)."""
        fields = link_fields(item, chain_format)
        return bool(self._digest(item["prev_hash"], fast_canonical_bytes(fields)) == item["hash"])

    def _digest(self, prev_hash: str, canonical: bytes) -> str:
        digest = hashlib.new(self.algorithm, prev_hash.encode("ascii"))
        digest.update(canonical)
        return digest.hexdigest()


def leaf_of(chain_hash: str) -> bytes:
    """The Merkle leaf hash of an event: RFC 6962 leaf hash of the chain hash's 32 raw bytes."""
    return merkle.leaf_hash(bytes.fromhex(chain_hash))


@dataclass(frozen=True)
class ChainLink:
    position: int
    prev_hash: str
    hash: str
    chain_format: int = CHAIN_FORMAT
    leaf: bytes | None = None  # the stored Merkle leaf of this link (None: missing)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_position: int | None
    head_hash: str
    first_broken_position: int | None = None
    reason: str | None = None
    merkle_root: str | None = None  # hex SHA-256 root recomputed from the links


def verify_links(
    hasher: Hasher,
    rows: Iterable[tuple[ChainLink | None, Mapping[str, Any] | None, int]],
    checkpoints: Iterable[tuple[int, bytes]] = (),
) -> VerifyResult:
    """Walk (stored link, event as the feed shows it, position) in position order; stop at the
    first break. A missing event (deleted row), a missing link, a wrong ``prev_hash`` (a deleted
    or reordered pair), a wrong ``hash`` (altered event), a stored Merkle leaf that does not
    match its link, and a root that differs from a checkpoint (tree size, root) the log signed
    earlier (a rewritten or truncated history, even one whose chain is internally valid) are
    all breaks."""
    pending = sorted(c for c in checkpoints if c[0] > 0)
    expected_prev = GENESIS_HASH
    checked = 0
    last_position: int | None = None
    tree = merkle.RootBuilder()
    for link, item, position in rows:
        reason = _break_reason(hasher, expected_prev, link, item)
        if reason is not None:
            return VerifyResult(False, checked, last_position, expected_prev, position, reason)
        assert link is not None
        leaf = leaf_of(link.hash)
        if link.leaf != leaf:
            return VerifyResult(False, checked, last_position, expected_prev, position, "merkle leaf does not match")
        tree.add(leaf)
        while pending and pending[0][0] <= tree.size:
            size, root = pending.pop(0)
            if tree.root() != root:
                reason = (
                    f"the history up to here differs from the checkpoint of tree size {size} the log signed (rewritten)"
                )
                return VerifyResult(False, checked, last_position, expected_prev, position, reason)
        expected_prev = link.hash
        last_position = position
        checked += 1
    if pending:
        reason = f"the log has {checked} events, fewer than the checkpoint of tree size {pending[-1][0]} it signed (truncated)"
        return VerifyResult(False, checked, last_position, expected_prev, (last_position or 0) + 1, reason)
    return VerifyResult(True, checked, last_position, expected_prev, merkle_root=tree.root().hex())


def _break_reason(
    hasher: Hasher, expected_prev: str, link: ChainLink | None, item: Mapping[str, Any] | None
) -> str | None:
    if link is None:
        return "event has no chain link"
    if item is None:
        return "chain link has no event (deleted or unreadable)"
    if link.prev_hash != expected_prev:
        return "prev_hash does not match the previous event (deleted or reordered)"
    if not hasher.matches({**item, "prev_hash": link.prev_hash, "hash": link.hash}, link.chain_format):
        return "hash does not match the event's content (altered)"
    return None


def merge_by_position(
    links: Iterator[ChainLink], events: Iterator[tuple[int, Mapping[str, Any] | None]]
) -> Iterator[tuple[ChainLink | None, Mapping[str, Any] | None, int]]:
    """Full outer join of two position-ordered streams."""
    link = next(links, None)
    event = next(events, None)
    while link is not None or event is not None:
        event_position = None if event is None else event[0]
        if link is not None and (event_position is None or link.position < event_position):
            yield link, None, link.position
            link = next(links, None)
        elif link is None or (event_position is not None and event_position < link.position):
            assert event is not None
            yield None, event[1], event[0]
            event = next(events, None)
        else:
            assert event is not None
            yield link, event[1], link.position
            link, event = next(links, None), next(events, None)


def head_note_text(origin: str, position: int, algorithm: str, head_hash: str) -> str:
    """The text of the signed note ``/audit/head`` answers with (signed by the log key).

    ``<origin>/<service>``, ``chain-head <position>``, ``<algorithm> <hash>``: a note that cannot be
    read as a checkpoint (its second line is not a tree size), so one signature never serves both."""
    return f"{origin}\nchain-head {position}\n{algorithm} {head_hash}\n"
