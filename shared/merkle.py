"""RFC 6962 / RFC 9162 Merkle trees over SHA-256 (C2SP tlog-checkpoint compatible).

Pure functions over a *node source*: every perfect, aligned subtree of the log is stored once
(``(level, index) -> hash``: level 0 holds the leaf hashes, level k the roots of the 2**k-leaf
subtrees), so a root, an inclusion proof or a consistency proof of any tree size needs only
O(log n) stored nodes, never a recomputation of the tree. ``append`` computes the nodes one
new leaf completes from the right edge of the tree (its *frontier*).

Leaf ``i`` of a service's log is the 32 raw bytes of the chain ``hash`` of its ``i``-th event in
position order (api.md "Verifiable history").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, index)
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def frontier(size: int) -> list[Node]:
    """The perfect subtrees a tree of ``size`` leaves is made of, largest (leftmost) first."""
    nodes, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def root_of_frontier(hashes: Sequence[bytes]) -> bytes:
    """MTH of a tree from its frontier hashes (largest first): fold from the right."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def append(size: int, leaves: Iterable[bytes], known: Mapping[Node, bytes]) -> dict[Node, bytes]:
    """The nodes that appending ``leaves`` (leaf hashes) to a tree of ``size`` leaves creates.

    ``known`` holds at least the frontier of ``size``; the result holds every new node
    (each new leaf and each subtree it completes), ready to be stored.
    """
    cache = dict(known)
    created: dict[Node, bytes] = {}
    index = size
    for value in leaves:
        level, position, current = 0, index, value
        created[(0, position)] = cache[(0, position)] = current
        while position & 1:
            current = node_hash(cache[(level, position - 1)], current)
            level, position = level + 1, position >> 1
            created[(level, position)] = cache[(level, position)] = current
        index += 1
    return created


class Tree:
    """Roots and proofs of any size of a log, from its stored perfect-subtree nodes."""

    def __init__(self, fetch: Callable[[list[Node]], Mapping[Node, bytes]]) -> None:
        self._fetch = fetch

    def _hashes(self, plan: Callable[[Callable[[int, int], bytes]], list[bytes]]) -> list[bytes]:
        """Run ``plan`` once to learn which stored nodes it needs, fetch them in one go, run it again."""
        wanted: list[Node] = []

        def record(start: int, end: int) -> bytes:
            wanted.extend(_perfect_parts(start, end))
            return b""

        plan(record)
        nodes = self._fetch(sorted(set(wanted)))
        missing = set(wanted) - set(nodes)
        if missing:
            raise LookupError(f"the log has no stored node {min(missing)}")
        return plan(lambda start, end: _range_hash(start, end, nodes))

    def root(self, size: int) -> bytes:
        if size == 0:
            return EMPTY_ROOT
        return self._hashes(lambda mth: [mth(0, size)])[0]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:size])."""
        if not 0 <= index < size:
            raise ValueError("the leaf index must be below the tree size")
        return self._hashes(lambda mth: _path(index, 0, size, mth))

    def frontier_hashes(self, size: int) -> list[bytes]:
        """The hashes of the perfect subtrees a tree of ``size`` leaves is made of."""
        wanted = frontier(size)
        nodes = self._fetch(wanted) if wanted else {}
        return [nodes[node] for node in wanted]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(first, D[0:second])."""
        if not 0 < first <= second:
            raise ValueError("consistency needs 0 < first <= second")
        return self._hashes(lambda mth: _subproof(first, 0, second, True, mth))


def _perfect_parts(start: int, end: int) -> list[Node]:
    """The perfect aligned subtrees whose hashes give MTH(D[start:end])."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    k = _largest_power_of_two_below(size)
    return _perfect_parts(start, start + k) + _perfect_parts(start + k, end)


def _range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return nodes[(level, start >> level)]
    k = _largest_power_of_two_below(size)
    return node_hash(_range_hash(start, start + k, nodes), _range_hash(start + k, end, nodes))


def _path(m: int, start: int, end: int, mth: Callable[[int, int], bytes]) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return [*_path(m, start, start + k, mth), mth(start + k, end)]
    return [*_path(m - k, start + k, end, mth), mth(start, start + k)]


def _subproof(m: int, start: int, end: int, whole: bool, mth: Callable[[int, int], bytes]) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if whole else [mth(start, end)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof(m, start, start + k, whole, mth), mth(start + k, end)]
    return [*_subproof(m - k, start + k, end, False, mth), mth(start, start + k)]


# --- verification (what an outsider runs: RFC 9162 2.1.3.2 and 2.1.4.2) ------------------------


class RootBuilder:
    """MTH of a stream of leaf hashes in O(log n) memory: it keeps only the frontier."""

    def __init__(self, size: int = 0, frontier_hashes: Sequence[bytes] = ()) -> None:
        """Start empty, or from the frontier of a tree of ``size`` leaves (largest subtree first)."""
        levels = [level for level, _ in frontier(size)]
        if len(levels) != len(frontier_hashes):
            raise ValueError(f"a tree of {size} leaves has {len(levels)} frontier hashes")
        self.size = size
        self._stack: list[tuple[int, bytes]] = list(zip(levels, frontier_hashes, strict=True))

    def add(self, value: bytes) -> None:
        self.add_subtree(0, value)

    def add_subtree(self, level: int, value: bytes) -> None:
        """Append a perfect subtree of 2**level leaves; the tree's size must be a multiple of it."""
        if self.size % (1 << level):
            raise ValueError(f"a subtree of 2**{level} leaves must start at a multiple of its size")
        leaves, current = 1 << level, value
        while self._stack and self._stack[-1][0] == level:
            current = node_hash(self._stack.pop()[1], current)
            level += 1
        self._stack.append((level, current))
        self.size += leaves

    def frontier(self) -> list[bytes]:
        return [h for _, h in self._stack]

    def root(self) -> bytes:
        return root_of_frontier(self.frontier())


def root_of_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    builder = RootBuilder()
    for value in leaf_hashes:
        builder.add(value)
    return builder.root()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
