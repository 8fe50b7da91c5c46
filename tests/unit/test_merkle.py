"""The Merkle tree against the RFC 6962 reference vectors (the CT test data), and round trips."""

from __future__ import annotations

import random

import pytest

from shared import merkle

LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index, tree size, proof)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def stored_tree(leaf_hashes: list[bytes]) -> tuple[merkle.Tree, dict[merkle.Node, bytes]]:
    """A tree built the way the log builds it: appended in batches of uneven size."""
    nodes: dict[merkle.Node, bytes] = {}
    size, rng = 0, random.Random(len(leaf_hashes))
    while size < len(leaf_hashes):
        batch = leaf_hashes[size : size + rng.randint(1, 3)]
        known = {n: nodes[n] for n in merkle.frontier(size)}
        nodes.update(merkle.append(size, batch, known))
        size += len(batch)
    return merkle.Tree(lambda keys: {k: nodes[k] for k in keys if k in nodes}), nodes


LEAF_HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]
TREE, _ = stored_tree(LEAF_HASHES)


def test_roots_of_every_size_match_the_reference() -> None:
    for size in range(len(LEAVES) + 1):
        assert TREE.root(size).hex() == ROOTS[size]
        assert merkle.root_of_leaves(LEAF_HASHES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, proof: list[str]) -> None:
    assert [h.hex() for h in TREE.inclusion_proof(index, size)] == proof
    hashes = [bytes.fromhex(h) for h in proof]
    root = bytes.fromhex(ROOTS[size])
    assert merkle.verify_inclusion(LEAF_HASHES[index], index, size, hashes, root)
    assert not merkle.verify_inclusion(LEAF_HASHES[index], index, size, hashes, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(first: int, second: int, proof: list[str]) -> None:
    assert [h.hex() for h in TREE.consistency_proof(first, second)] == proof
    hashes = [bytes.fromhex(h) for h in proof]
    first_root, second_root = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert merkle.verify_consistency(first, second, first_root, second_root, hashes)
    if first < second:
        assert not merkle.verify_consistency(first, second, second_root, second_root, hashes)


def test_every_proof_of_every_size_round_trips() -> None:
    leaves = [merkle.leaf_hash(bytes([i, i * 7 % 256])) for i in range(37)]
    tree, _ = stored_tree(leaves)
    for size in range(1, len(leaves) + 1):
        root = tree.root(size)
        assert root == merkle.root_of_leaves(leaves[:size])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
            if size > 1:
                assert not merkle.verify_inclusion(leaves[(index + 1) % size], index, size, proof, root)
        for first in range(1, size + 1):
            proof = tree.consistency_proof(first, size)
            assert merkle.verify_consistency(first, size, tree.root(first), root, proof)


def test_a_rewritten_history_fails_consistency_with_an_earlier_root() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(20)]
    tree, _ = stored_tree(leaves)
    saved = tree.root(12)
    rewritten = [*leaves[:7], merkle.leaf_hash(b"forged"), *leaves[8:]]
    forged, _ = stored_tree(rewritten)
    proof = forged.consistency_proof(12, 20)
    assert merkle.verify_consistency(12, 20, forged.root(12), forged.root(20), proof)  # internally valid
    assert not merkle.verify_consistency(12, 20, saved, forged.root(20), proof)


def test_the_frontier_of_a_size() -> None:
    assert merkle.frontier(0) == []
    assert merkle.frontier(6) == [(2, 0), (1, 2)]
    assert merkle.frontier(8) == [(3, 0)]
    assert merkle.frontier(13) == [(3, 0), (2, 2), (0, 12)]
    missing = merkle.Tree(lambda keys: {})
    with pytest.raises(LookupError):
        missing.root(3)
