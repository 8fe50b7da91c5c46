"""Offline verification of a service's log: what ``openness audit verify`` runs.

Everything is recomputed from the bundle (or the public endpoints) and standard formats:
every chain link, the signatures of the checkpoint, the RFC 6962 root, and, when a checkpoint
saved earlier is given, that the log still extends it (a rewritten history whose chain is
internally valid fails here).

The events are checked in chunks of ``CHUNK`` lines (parsing, links and Merkle leaves, and the
root of each whole aligned chunk), in worker processes when there is more than one core; the
chunks are then joined in order (links across chunk boundaries, the tree, the checkpoints).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from shared import merkle
from shared.chain import GENESIS_HASH, Hasher, leaf_of
from shared.jsondata import loads
from shared.signednote import Checkpoint, NoteError, Verifier, verify_checkpoint

CHUNK = 4096  # a power of two: a whole aligned chunk is one perfect subtree
CHUNK_LEVEL = CHUNK.bit_length() - 1
Line = str | bytes | Mapping[str, Any]


@dataclass(frozen=True)
class Report:
    ok: bool
    checked: int
    tree_size: int
    root: str
    first_broken_position: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Chunk:
    """What one chunk of lines proved: its valid prefix (``count`` items) and the first break."""

    count: int
    positions: list[int]
    first_prev_hash: str | None
    hashes: list[str]
    leaves: bytes  # 32 bytes per valid item
    subtree_root: bytes | None  # when asked for and the whole chunk is valid
    broken: tuple[int | None, str] | None


def check_chunk(lines: list[Line], algorithm: str, want_root: bool) -> Chunk:
    """Parse each line and check its link, its position order and its link to the one before."""
    hasher = Hasher(algorithm)
    positions: list[int] = []
    hashes: list[str] = []
    leaves = bytearray()
    first_prev: str | None = None
    broken: tuple[int | None, str] | None = None
    for line in lines:
        try:
            item = line if isinstance(line, Mapping) else loads(line)
            position = int(item["position"])
        except (ValueError, TypeError, KeyError) as error:
            broken = (positions[-1] + 1 if positions else None, f"an event cannot be read: {error}")
            break
        if positions and position <= positions[-1]:
            broken = (position, "events are not in position order")
            break
        if hashes and item.get("prev_hash") != hashes[-1]:
            broken = (position, "prev_hash does not match the previous event (deleted or reordered)")
            break
        try:
            linked = hasher.matches(item, int(item.get("chain_format", 1)))
        except (KeyError, ValueError, TypeError) as error:
            broken = (position, f"the event cannot be read: {error}")
            break
        if not linked:
            broken = (position, "hash does not match the event's content (altered)")
            break
        if first_prev is None:
            first_prev = str(item["prev_hash"])
        positions.append(position)
        hashes.append(str(item["hash"]))
        leaves += leaf_of(item["hash"])
    root = None
    if want_root and broken is None and len(positions) == CHUNK:
        root = merkle.root_of_leaves(bytes(leaves[i : i + 32]) for i in range(0, len(leaves), 32))
    return Chunk(len(positions), positions, first_prev, hashes, bytes(leaves), root, broken)


def verify_events(
    items: Iterable[Line],
    *,
    algorithm: str,
    checkpoint: Checkpoint,
    frontier_size: int = 0,
    frontier: list[bytes] | None = None,
    previous: Checkpoint | None = None,
    previous_hashes: Mapping[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Report:
    """Recompute every link and the Merkle root over ``items`` (feed items, or their JSON lines,
    in position order, appended to the tree described by ``frontier``) and compare with
    ``checkpoint``; with ``previous`` (a checkpoint saved earlier) check that the log still
    extends it, and with ``previous_hashes`` (the chain hashes of an earlier bundle, by
    position) name the first position whose event is no longer the one it was."""
    tree = merkle.RootBuilder(frontier_size, frontier or [])
    pending = previous
    if previous is not None and previous.size < frontier_size:
        return Report(False, 0, frontier_size, "", None, "the previous checkpoint predates this bundle's first event")
    if previous is not None and previous.size == frontier_size:
        if merkle.root_of_frontier(frontier or []) != previous.root:
            return Report(False, 0, frontier_size, "", None, "the bundle does not extend the checkpoint saved earlier")
        pending = None
    expected_prev = GENESIS_HASH if frontier_size == 0 else None
    checked, last_position = 0, None

    def broken(position: int | None, reason: str, valid_before: int = 0) -> Report:
        return Report(False, checked + valid_before, tree.size, "", position, reason)

    for chunk in _chunks(items, tree.size, checkpoint.size, algorithm, workers):
        if chunk.count and expected_prev is not None and chunk.first_prev_hash != expected_prev:
            return broken(chunk.positions[0], "prev_hash does not match the previous event (deleted or reordered)")
        if chunk.count and last_position is not None and chunk.positions[0] <= last_position:
            return broken(chunk.positions[0], "events are not in position order")
        count = min(chunk.count, checkpoint.size - tree.size)
        if previous_hashes is not None:
            for position, value in zip(chunk.positions[:count], chunk.hashes[:count], strict=True):
                if previous_hashes.get(position, value) != value:
                    return broken(
                        position, "the event differs from the one the earlier bundle holds (history rewritten)"
                    )

        whole = chunk.subtree_root is not None and count == chunk.count and tree.size % CHUNK == 0
        special = pending is not None and tree.size < pending.size <= tree.size + count
        if whole and not special:
            tree.add_subtree(CHUNK_LEVEL, chunk.subtree_root)  # type: ignore[arg-type]
        else:
            for n in range(count):
                tree.add(chunk.leaves[32 * n : 32 * n + 32])
                if pending is not None and tree.size == pending.size:
                    if tree.root() != pending.root:
                        reason = f"the history up to tree size {pending.size} differs from the checkpoint saved earlier (rewritten)"
                        return broken(chunk.positions[n], reason, n)
                    pending = None
        checked += count
        if count:
            last_position, expected_prev = chunk.positions[count - 1], chunk.hashes[count - 1]
        if progress is not None:
            progress(checked)
        if chunk.broken is not None and count == chunk.count:
            return broken(*chunk.broken)
        if tree.size == checkpoint.size:
            break
    if tree.size != checkpoint.size:
        return broken(
            last_position, f"the bundle has {tree.size} of the checkpoint's {checkpoint.size} leaves (truncated)"
        )
    root = tree.root()
    if root != checkpoint.root:
        return broken(last_position, "the Merkle root of the events does not match the signed checkpoint")
    if pending is not None:
        return broken((last_position or 0) + 1, "the log is shorter than the checkpoint saved earlier (truncated)")
    return Report(True, checked, tree.size, root.hex())


def _chunks(items: Iterable[Line], size: int, limit: int, algorithm: str, workers: int) -> Iterator[Chunk]:
    """Lines cut at multiples of CHUNK leaves (so whole chunks are aligned subtrees), checked in
    order, by ``workers`` processes at most ``2 * workers`` chunks ahead of the reader."""
    batches = _batches(iter(items), size, limit)
    if workers <= 1:
        for lines in batches:
            yield check_chunk(lines, algorithm, True)
        return
    with ProcessPoolExecutor(workers) as pool:
        window: deque[Future[Chunk]] = deque()
        for lines in batches:
            window.append(pool.submit(check_chunk, lines, algorithm, True))
            if len(window) >= 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _batches(items: Iterator[Line], size: int, limit: int) -> Iterator[list[Line]]:
    batch: list[Line] = []
    want = CHUNK - size % CHUNK
    for line in items:
        batch.append(line)
        if len(batch) == want:
            yield batch
            size += len(batch)
            batch, want = [], CHUNK
            if size >= limit:
                return
    if batch:
        yield batch


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def open_checkpoint(note: str, verifiers: list[Verifier], origin: str | None = None) -> Checkpoint:
    checkpoint = verify_checkpoint(note, verifiers)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
