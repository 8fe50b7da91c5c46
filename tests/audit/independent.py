"""An auditor's own verifier: the standard library and ``cryptography`` only.

Deliberately written again from the specifications (RFC 9162, C2SP signed-note and
tlog-checkpoint, the project's docs/events.md), importing nothing of the project, so that the
tests that use it show an outsider can check the log from the public endpoints alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

LINK_FIELDS = {
    1: ("position", "stream_id", "version", "type", "recorded_at", "data"),
    2: ("position", "event_id", "stream_id", "stream_version", "type", "schema_version", "occurred_at", "recorded_at", "data"),
}  # fmt: skip


def link_hash(algorithm: str, item: dict[str, Any]) -> str:
    values = {**item, "version": item["stream_version"]}
    fields = {k: values[k] for k in LINK_FIELDS[item["chain_format"]]}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.new(algorithm, item["prev_hash"].encode() + canonical).hexdigest()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, straight from the definition (leaves are leaf hashes)."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, root1: bytes, root2: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2."""
    if first == second:
        return not proof and root1 == root2
    if first & (first - 1) == 0:
        proof = [root1, *proof]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = sha256(b"\x01" + c + fr), sha256(b"\x01" + c + sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = sha256(b"\x01" + sr + c)
        fn, sn = fn // 2, sn // 2
    return fr == root1 and sr == root2 and sn == 0


def open_note(note: str, vkey: str) -> str:
    """C2SP signed note: its text if ``vkey`` signed it (raises ``InvalidSignature`` if forged)."""
    name, key_id_hex, key_b64 = vkey.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 0x01, "an Ed25519 verifier key"
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_id_hex
    text, signatures = note.split("\n\n", 1)
    text += "\n"
    for line in signatures.splitlines():
        dash, signer, blob = line.split(" ")
        assert dash == "\u2014"
        signature = base64.b64decode(blob)
        if signer == name and signature[:4].hex() == key_id_hex:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signature[4:], text.encode())  # raises if forged
            return text
    raise AssertionError("no signature by the key")


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """tlog-checkpoint: (origin, size, root) if ``vkey`` signed it."""
    origin, size, root = open_note(note, vkey).splitlines()
    return origin, int(size), base64.b64decode(root)


def head_of_note(note: str, vkey: str) -> tuple[int, str]:
    """The signed chain head of ``/audit/head``: (position, "<algorithm> <hash>") if ``vkey`` signed it."""
    _origin, position, algorithm_and_hash = open_note(note, vkey).splitlines()
    label, number = position.split(" ")
    assert label == "chain-head"
    return int(number), algorithm_and_hash
