"""Offline verification of a service's log: what ``openness audit verify`` runs.

Everything is recomputed from the bundle (or the public endpoints) and standard formats:
every chain link, the signatures of the checkpoint, the RFC 6962 root, and, when a checkpoint
saved earlier is given, that the log still extends it (a rewritten history whose chain is
internally valid fails here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared import merkle
from shared.chain import GENESIS_HASH, Hasher, leaf_of
from shared.signednote import Checkpoint, NoteError, Verifier, verify_checkpoint


@dataclass(frozen=True)
class Report:
    ok: bool
    checked: int
    tree_size: int
    root: str
    first_broken_position: int | None = None
    reason: str | None = None


def verify_events(
    items: Iterable[Mapping[str, Any]],
    *,
    algorithm: str,
    checkpoint: Checkpoint,
    frontier_size: int = 0,
    frontier: list[bytes] | None = None,
    previous: Checkpoint | None = None,
    previous_hashes: Mapping[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Recompute every link and the Merkle root over ``items`` (feed items in position order,
    appended to the tree described by ``frontier``) and compare with ``checkpoint``; with
    ``previous`` (a checkpoint saved earlier), check that the log still extends it, and with
    ``previous_hashes`` (the chain hashes of an earlier bundle, by position) name the first
    position whose event is no longer the one it was."""
    hasher = Hasher(algorithm)
    tree = merkle.RootBuilder(frontier_size, frontier or [])
    expected_prev = GENESIS_HASH if frontier_size == 0 else None
    previous_checked = previous is None
    if previous is not None and previous.size < frontier_size:
        return Report(False, 0, frontier_size, "", None, "the previous checkpoint predates this bundle's first event")
    if previous is not None and previous.size == frontier_size:
        if merkle.root_of_frontier(frontier or []) != previous.root:
            return Report(False, 0, frontier_size, "", None, "the bundle does not extend the checkpoint saved earlier")
        previous_checked = True
    checked, last_position = 0, None

    def broken(position: int | None, reason: str) -> Report:
        return Report(False, checked, tree.size, "", position, reason)

    for item in items:
        position = int(item["position"])
        if last_position is not None and position <= last_position:
            return broken(position, "events are not in position order")
        if expected_prev is not None and item["prev_hash"] != expected_prev:
            return broken(position, "prev_hash does not match the previous event (deleted or reordered)")
        try:
            recomputed = hasher.link(item["prev_hash"], item, int(item.get("chain_format", 1)))
        except (KeyError, ValueError, TypeError) as error:
            return broken(position, f"the event cannot be read: {error}")
        if recomputed != item["hash"]:
            return broken(position, "hash does not match the event's content (altered)")
        if previous_hashes is not None and previous_hashes.get(position, item["hash"]) != item["hash"]:
            return broken(position, "the event differs from the one the earlier bundle holds (history rewritten)")
        tree.add(leaf_of(item["hash"]))
        checked += 1
        expected_prev, last_position = item["hash"], position
        if previous is not None and tree.size == previous.size:
            if tree.root() != previous.root:
                return broken(
                    position,
                    f"the history up to tree size {previous.size} differs from the checkpoint saved earlier (rewritten)",
                )
            previous_checked = True
        if progress is not None:
            progress(checked)
        if tree.size == checkpoint.size:
            break
    if tree.size != checkpoint.size:
        return broken(
            last_position, f"the bundle has {tree.size} of the checkpoint's {checkpoint.size} leaves (truncated)"
        )
    root = tree.root()
    if root != checkpoint.root:
        return broken(last_position, "the Merkle root of the events does not match the signed checkpoint")
    if not previous_checked:
        first_missing = (last_position or 0) + 1
        return broken(first_missing, "the log is shorter than the checkpoint saved earlier (truncated)")
    return Report(True, checked, tree.size, root.hex())


def open_checkpoint(note: str, verifiers: list[Verifier], origin: str | None = None) -> Checkpoint:
    checkpoint = verify_checkpoint(note, verifiers)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
