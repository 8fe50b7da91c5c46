"""Audit bundles: a service's log as files an outsider verifies with standard formats.

A bundle is a ``.tar.gz`` holding

- ``checkpoint``: the C2SP signed note of the tree at ``tree_size``;
- ``keys/<name>.vkey`` and ``keys/<name>.pem``: the log's public key;
- ``events.jsonl``: the feed items (as served to auditors), one JSON object per line, in
  position order, from the first after ``after`` up to the last leaf of the tree;
- ``frontier.json``: the tree the first of those events was appended to (its size and the
  base64 hashes of its perfect subtrees, largest first; empty for a bundle from the start);
- ``log.json``: service, origin, hash algorithm, tree size;
- ``README.txt``: how to verify it, by hand or with ``openness audit verify``.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.jsondata import loads
from shared.signednote import Checkpoint, NoteError, Verifier

if TYPE_CHECKING:
    from shared.application import ServiceApplication

PAGE = 1000
README = """\
Audit bundle of the {service} log of openness (政务公开平台), tree size {size}.

1. checkpoint is a C2SP tlog-checkpoint (signed-note): origin "{origin}", tree size, base64
   SHA-256 root. Check its Ed25519 signature with the key in keys/ (compare that key with the
   one the office published: GET /{service}/v1/audit/keys).
2. events.jsonl holds each event as the feed serves it to auditors. For each line, in order:
   hash = {algorithm}(prev_hash || canonical JSON of the fields chain_format names), where the
   canonical JSON has sorted keys, separators "," and ":", UTF-8, non-ASCII not escaped;
   chain_format 2 covers position, event_id, stream_id, stream_version, type, schema_version,
   occurred_at, recorded_at, data; chain_format 1 covers position, stream_id, version (the
   stream_version), type, recorded_at, data. Each prev_hash is the previous line's hash.
3. The Merkle tree (RFC 6962/9162, SHA-256) has as leaf i the 32 raw bytes of the i-th event's
   hash. Starting from frontier.json (empty for a bundle from the start), append every leaf
   and compare the root with the checkpoint's.
4. `openness audit verify <this file> [--previous-checkpoint FILE] [--key KEY]` does all of this
   (exit code 0: verified; 1: a check failed; 2: the input could not be read).
"""


def _key_file_name(name: str) -> str:
    return name.replace("/", "_")


def write(application: ServiceApplication, *, after: int, size: int) -> tuple[Path, Callable[[], None]]:
    """Write the bundle of the events after position ``after`` up to tree size ``size`` into a
    temporary file; return its path and the function that removes it."""
    folder = Path(tempfile.mkdtemp(prefix="openness-bundle-"))
    try:
        _, note = application.checkpoint(size)
        start = application.first_leaf_after(after, size)
        frontier = application.tree.frontier_hashes(start)
        events = folder / "events.jsonl"
        _write_events(application, events, after, size - start)
        verifier = application.log_signer.verifier
        files: dict[str, bytes] = {
            "checkpoint": note.encode("utf-8"),
            f"keys/{_key_file_name(verifier.name)}.vkey": (verifier.vkey + "\n").encode("ascii"),
            f"keys/{_key_file_name(verifier.name)}.pem": verifier.pem.encode("ascii"),
            "frontier.json": _json({"tree_size": start, "hashes": [base64.b64encode(h).decode() for h in frontier]}),
            "log.json": _json(
                {
                    "service": application.name,
                    "origin": application.log_origin,
                    "hash_algorithm": application.hasher.algorithm,
                    "tree_size": size,
                    "after": after,
                }
            ),
            "README.txt": README.format(
                service=application.name,
                size=size,
                origin=application.log_origin,
                algorithm=application.hasher.algorithm,
            ).encode("utf-8"),
        }
        path = folder / "bundle.tar.gz"
        with tarfile.open(path, "w:gz") as archive:
            for name, content in files.items():
                _add(archive, name, content)
            archive.add(events, arcname="events.jsonl")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, lambda: shutil.rmtree(folder, ignore_errors=True)


def _write_events(application: ServiceApplication, path: Path, after: int, count: int) -> None:
    from shared.feed import present_item

    with path.open("w", encoding="utf-8") as out:
        while count > 0:
            items = application.read_feed(after=after, limit=min(PAGE, count))
            if not items:
                break
            for item in items:
                out.write(json.dumps(present_item(application, item, True), ensure_ascii=False))
                out.write("\n")
            count -= len(items)
            after = items[-1].position


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(content))


def chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(size):
            yield block


# --- reading a bundle (what an outsider does) --------------------------------------------------


@dataclass
class Bundle:
    checkpoint_note: str
    verifiers: list[Verifier]
    log: dict[str, Any]
    frontier_size: int
    frontier: list[bytes]
    _archive: tarfile.TarFile

    def lines(self) -> Iterator[bytes]:
        """The raw lines of events.jsonl, one feed item each (what verification parses)."""
        member = self._archive.extractfile("events.jsonl")
        if member is None:
            raise NoteError("the bundle has no events.jsonl")
        for line in member:
            if line.strip():
                yield line

    def events(self) -> Iterator[dict[str, Any]]:
        for line in self.lines():
            yield loads(line)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(self.checkpoint_note.split("\n\n")[0] + "\n")

    def close(self) -> None:
        self._archive.close()


def read(path: Path) -> Bundle:
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by Bundle.close
        names = set(archive.getnames())

        def text(name: str) -> str:
            member = archive.extractfile(name)
            if member is None:
                raise NoteError(f"the bundle has no {name}")
            return member.read().decode("utf-8")

        verifiers = [Verifier.parse(text(n)) for n in sorted(names) if n.startswith("keys/") and n.endswith(".vkey")]
        frontier = json.loads(text("frontier.json"))
        return Bundle(
            checkpoint_note=text("checkpoint"),
            verifiers=verifiers,
            log=json.loads(text("log.json")),
            frontier_size=int(frontier["tree_size"]),
            frontier=[base64.b64decode(h) for h in frontier["hashes"]],
            _archive=archive,
        )
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise NoteError(f"{path} is not an audit bundle: {error}") from error
