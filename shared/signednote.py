"""C2SP signed notes and tlog checkpoints, signed with Ed25519.

A checkpoint (C2SP ``tlog-checkpoint``) is the text::

    <origin>\\n<tree size>\\n<base64 root hash>\\n

signed as a C2SP ``signed-note``: the text, a blank line, then one line per signature,
``— <key name> <base64(4-byte key id || signature)>``. An Ed25519 key's id is the first four
bytes of SHA-256(key name || "\\n" || 0x01 || public key); its verifier key is
``<name>+<hex key id>+<base64(0x01 || public key)>``. Standard library and ``cryptography`` only,
so an auditor can read and re-implement every step.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash, space


class NoteError(ValueError):
    """A note, a checkpoint or a key that does not parse or does not verify."""


def key_id(name: str, public_key: bytes, kind: int = ED25519) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes  # 32 raw bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def pem(self) -> str:
        key = Ed25519PublicKey.from_public_bytes(self.public_key)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        try:
            name, hex_id, encoded = vkey.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise NoteError(f"not a verifier key: {vkey[:80]!r}") from error
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("only Ed25519 verifier keys (type 0x01) are supported")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verifies(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


class Signer:
    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.verifier = Verifier(name, raw)

    def signature_line(self, text: str) -> str:
        signature = self._key.sign(text.encode("utf-8"))
        encoded = base64.b64encode(self.verifier.key_id + signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


def sign(text: str, signers: list[Signer]) -> str:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends with a newline and has no blank line")
    return text + "\n" + "".join(s.signature_line(text) for s in signers)


def open_note(note: str, verifiers: list[Verifier]) -> str:
    """The note's text if a known key signed it validly (and no known key's signature fails)."""
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, lines = note[: split + 1], note[split + 2 :].splitlines()
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line {line[:60]!r}")
        try:
            name, encoded = line[len(SIGNATURE_PREFIX) :].split(" ")
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise NoteError(f"malformed signature line {line[:60]!r}") from error
        verifier = known.get((name, raw[:4]))
        if verifier is None:
            continue  # signatures of unknown keys are ignored
        if not verifier.verifies(text.encode("utf-8"), raw[4:]):
            raise NoteError(f"the signature of {name} does not verify")
        verified = True
    if not verified:
        raise NoteError("no signature by a known key")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        try:
            origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
        except (IndexError, ValueError) as error:
            raise NoteError("not a checkpoint: origin, tree size and base64 root hash expected") from error
        if not origin or size < 0 or len(root) != 32 or str(size) != lines[1]:
            raise NoteError("not a checkpoint: origin, tree size and base64 root hash expected")
        return cls(origin, size, root)


def verify_checkpoint(note: str, verifiers: list[Verifier]) -> Checkpoint:
    return Checkpoint.parse(open_note(note, verifiers))


# --- the log key --------------------------------------------------------------------------------


def generate_key_file(path: Path) -> None:
    """A new Ed25519 private key, PKCS#8 PEM, readable by its owner only; never overwritten."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise NoteError(f"cannot read the log key {path}: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"the log key {path} is not an Ed25519 key")
    return key
