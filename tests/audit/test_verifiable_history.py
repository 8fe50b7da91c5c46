"""Verifiable history (api.md): what a stranger checks with the public endpoints alone."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.audit import independent
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth


def _events(client: TestClient, settings: Settings) -> list[dict[str, Any]]:
    page = client.get("/catalogue/v1/events", params={"limit": 1000}, headers=auth(settings, "auditor")).json()
    items: list[dict[str, Any]] = page["items"]
    return items


def test_an_outsider_verifies_links_signature_root_and_every_proof(catalogue: TestClient, settings: Settings) -> None:
    for n in range(6):
        record = draft(catalogue, settings, title=f"关于第{n}批政策的通知")
        if n % 2 == 0:
            publish(catalogue, settings, record)
    first_note = catalogue.get("/catalogue/v1/audit/checkpoint").text
    publish(catalogue, settings, draft(catalogue, settings, title="又一份通知"))
    [key] = catalogue.get("/catalogue/v1/audit/keys").json()["keys"]
    note = catalogue.get("/catalogue/v1/audit/checkpoint")
    assert note.headers["content-type"].startswith("text/plain")
    origin, size, root = independent.open_checkpoint(note.text, key["vkey"])
    assert (origin, size) == ("openness.local/catalogue", 11)
    items = _events(catalogue, settings)
    algorithm = catalogue.get("/catalogue/v1/audit/head").json()["algorithm"]
    previous = "0" * 64
    for item in items:
        assert item["prev_hash"] == previous
        assert independent.link_hash(algorithm, item) == item["hash"]
        previous = item["hash"]
    leaves = [independent.sha256(b"\x00" + bytes.fromhex(i["hash"])) for i in items]
    assert independent.mth(leaves) == root
    for index, item in enumerate(items):
        proof = catalogue.get("/catalogue/v1/audit/proof/inclusion", params={"position": item["position"]}).json()
        assert (proof["leaf_index"], proof["tree_size"]) == (index, size)
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        assert independent.verify_inclusion(leaves[index], index, size, hashes, root)
    _, first_size, first_root = independent.open_checkpoint(first_note, key["vkey"])
    assert first_size == 9
    for earlier in range(1, size + 1):
        proof = catalogue.get("/catalogue/v1/audit/proof/consistency", params={"from": earlier}).json()
        assert (proof["from"], proof["to"]) == (earlier, size)
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        assert independent.verify_consistency(earlier, size, independent.mth(leaves[:earlier]), root, hashes)
    proof = catalogue.get("/catalogue/v1/audit/proof/consistency", params={"from": 9, "to": 11}).json()
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert independent.verify_consistency(9, 11, first_root, root, hashes)


def test_proofs_refuse_sizes_the_log_does_not_have(catalogue: TestClient, settings: Settings) -> None:
    publish(catalogue, settings, draft(catalogue, settings))
    assert_problem(catalogue.get("/catalogue/v1/audit/proof/inclusion", params={"position": 2, "size": 3}), 422)
    assert_problem(catalogue.get("/catalogue/v1/audit/proof/inclusion", params={"position": 9}), 404)
    assert_problem(catalogue.get("/catalogue/v1/audit/proof/inclusion", params={"position": 2, "size": 1}), 422)
    assert_problem(catalogue.get("/catalogue/v1/audit/proof/consistency", params={"from": 2, "to": 1}), 422)
    assert_problem(catalogue.get("/catalogue/v1/audit/proof/consistency", params={"from": 0}), 422)
    assert_problem(catalogue.get("/catalogue/v1/audit/export", headers=auth(settings, "platform")), 403)
    assert_problem(catalogue.get("/catalogue/v1/audit/export"), 401)


def test_every_checkpoint_handed_out_is_kept_and_handed_out_again(catalogue: TestClient, settings: Settings) -> None:
    publish(catalogue, settings, draft(catalogue, settings))
    first = catalogue.get("/catalogue/v1/audit/checkpoint").text
    assert catalogue.get("/catalogue/v1/audit/checkpoint").text == first  # same size: the same note
    draft(catalogue, settings)
    assert catalogue.get("/catalogue/v1/audit/checkpoint").text != first
