"""Offline verification of logs larger than one chunk: whole aligned chunks become subtrees,
chunks checked in worker processes join in order, and every break is still named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.audit import synthetic_log
from shared import merkle
from shared.chain import leaf_of
from shared.signednote import Checkpoint
from shared.verify import CHUNK, verify_events

COUNT = 2 * CHUNK + 1000  # two whole chunks and a ragged tail


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bytes], Checkpoint]:
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    checkpoint = synthetic_log(path, COUNT)
    return path.read_bytes().splitlines(), checkpoint


@pytest.mark.parametrize("workers", [1, 2])
def test_a_large_log_verifies_in_one_process_or_several(log: tuple[list[bytes], Checkpoint], workers: int) -> None:
    lines, checkpoint = log
    report = verify_events(lines, algorithm="sm3", checkpoint=checkpoint, workers=workers)
    assert (report.ok, report.checked, report.root) == (True, COUNT, checkpoint.root.hex())


def _roots(lines: list[bytes]) -> list[bytes]:
    return [leaf_of(json.loads(line)["hash"]) for line in lines]


def test_a_previous_checkpoint_inside_a_whole_chunk_is_checked(log: tuple[list[bytes], Checkpoint]) -> None:
    lines, checkpoint = log
    leaves = _roots(lines)
    for size in (CHUNK // 2 + 3, CHUNK, 2 * CHUNK + 1):
        previous = Checkpoint(checkpoint.origin, size, merkle.root_of_leaves(leaves[:size]))
        assert verify_events(lines, algorithm="sm3", checkpoint=checkpoint, previous=previous, workers=2).ok
        forged = Checkpoint(checkpoint.origin, size, b"\x00" * 32)
        report = verify_events(lines, algorithm="sm3", checkpoint=checkpoint, previous=forged, workers=2)
        assert (report.ok, report.first_broken_position) == (False, size)
        assert "rewritten" in (report.reason or "")


def test_an_altered_line_deep_in_the_log_is_named(log: tuple[list[bytes], Checkpoint]) -> None:
    lines, checkpoint = log
    altered = list(lines)
    item = json.loads(altered[CHUNK + 17])
    item["data"]["title"] = "被篡改"
    altered[CHUNK + 17] = json.dumps(item, ensure_ascii=False).encode()
    report = verify_events(altered, algorithm="sm3", checkpoint=checkpoint, workers=2)
    assert (report.ok, report.first_broken_position, report.checked) == (False, CHUNK + 18, CHUNK + 17)
    dropped = lines[: CHUNK - 1] + lines[CHUNK:]
    report = verify_events(dropped, algorithm="sm3", checkpoint=checkpoint, workers=2)
    assert (report.ok, report.first_broken_position) == (False, CHUNK + 1)


def test_a_bundle_that_starts_mid_log_continues_from_its_frontier(log: tuple[list[bytes], Checkpoint]) -> None:
    lines, checkpoint = log
    start = CHUNK + 123
    builder = merkle.RootBuilder()
    for leaf in _roots(lines[:start]):
        builder.add(leaf)
    report = verify_events(
        lines[start:],
        algorithm="sm3",
        checkpoint=checkpoint,
        frontier_size=start,
        frontier=builder.frontier(),
        workers=2,
    )
    assert (report.ok, report.checked) == (True, COUNT - start)


def test_the_synthetic_log_is_what_a_service_would_serve(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    checkpoint = synthetic_log(path, 3)
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert items[1]["prev_hash"] == items[0]["hash"]
    assert checkpoint.size == 3
