"""The audit routes every service serves: the chain head, verification, signed checkpoints,
the log's keys, inclusion and consistency proofs, and export bundles (api.md "Verifiable history")."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from shared import bundle, signednote
from shared.chain import head_note_text
from shared.errors import NotFound, ValidationFailed
from shared.feed import Application, Auditor


class AuditHead(BaseModel):
    service: str
    position: int
    hash: str
    algorithm: str
    signature: str = Field(
        description="日志密钥（Ed25519）对 note 正文的签名：base64(4 字节密钥标识 + 64 字节签名)，公钥见 /audit/keys"
    )
    signature_algorithm: str = "Ed25519"
    key_id: str = Field(description="签名密钥的 signed-note 密钥标识（十六进制）")
    note: str = Field(
        description="C2SP signed note：正文三行（<origin>/<service>、chain-head <位置>、<算法> <哈希>），空行后为签名行"
    )
    tree_size: int = Field(description="默克尔树叶子数；公开可验证的签名见 /audit/checkpoint")


class AuditVerification(BaseModel):
    service: str
    ok: bool
    checked: int
    head_position: int | None
    head_hash: str
    first_broken_position: int | None
    reason: str | None
    algorithm: str
    merkle_root: str | None = Field(description="由哈希链重算的默克尔根（十六进制），与检查点一致时 ok")


class LogKey(BaseModel):
    name: str
    key_id: str
    algorithm: str = "Ed25519"
    vkey: str = Field(description="C2SP signed-note 验证公钥：<name>+<hex keyid>+<base64(0x01||key)>")
    pem: str


class LogKeys(BaseModel):
    origin: str
    keys: list[LogKey]


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    hashes: list[str] = Field(description="RFC 9162 包含证明，base64")


class ConsistencyProof(BaseModel):
    from_: int = Field(alias="from", serialization_alias="from")
    to: int
    hashes: list[str] = Field(description="RFC 9162 一致性证明，base64")


Size = Annotated[int | None, Query(ge=1, le=2**62, description="树的大小（叶子数）；默认当前")]


def _b64(values: list[bytes]) -> list[str]:
    return [base64.b64encode(v).decode("ascii") for v in values]


def _tree_size_or_422(application: Application, size: int | None) -> int:
    current = application.tree_size()
    if size is None:
        return current
    if size > current:
        raise ValidationFailed(f"the log has {current} leaves, not {size}", code="beyond_tree_size")
    return size


def audit_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/{service}/v1/audit", tags=["feed and audit 事件流与审计"])

    @router.get("/head", response_model=AuditHead, summary="哈希链头：最新位置、哈希与签名")
    def audit_head(application: Application) -> AuditHead:
        position, head_hash = application.chain_head()
        algorithm = application.hasher.algorithm
        signer = application.log_signer
        note = signednote.sign(head_note_text(application.log_origin, position, algorithm, head_hash), [signer])
        return AuditHead(
            service=service,
            position=position,
            hash=head_hash,
            algorithm=algorithm,
            signature=note.rstrip("\n").rsplit(" ", 1)[1],
            key_id=signer.verifier.key_id.hex(),
            note=note,
            tree_size=application.tree_size(),
        )

    @router.get(
        "/verify",
        response_model=AuditVerification,
        summary="重算哈希链与默克尔根，报告第一个被篡改的位置（办公室、审计员）",
    )
    def audit_verify(application: Application, _: Auditor) -> AuditVerification:
        result = application.verify_chain()
        return AuditVerification(service=service, algorithm=application.hasher.algorithm, **asdict(result))

    @router.get(
        "/checkpoint",
        response_class=PlainTextResponse,
        summary="签名检查点（C2SP tlog-checkpoint + signed-note，Ed25519）",
        responses={200: {"content": {"text/plain": {}}}},
    )
    def checkpoint(application: Application) -> PlainTextResponse:
        _, note = application.checkpoint()
        return PlainTextResponse(note, headers={"Cache-Control": "no-cache"})

    @router.get("/keys", response_model=LogKeys, summary="日志公钥（signed-note 验证公钥与 PEM）")
    def keys(application: Application) -> LogKeys:
        verifier = application.log_signer.verifier
        key = LogKey(name=verifier.name, key_id=verifier.key_id.hex(), vkey=verifier.vkey, pem=verifier.pem)
        return LogKeys(origin=application.log_origin, keys=[key])

    @router.get(
        "/proof/inclusion",
        response_model=InclusionProof,
        summary="包含证明：某位置的事件在大小为 size 的树中",
        responses={404: {"description": "该位置没有事件"}},
    )
    def inclusion(
        application: Application, position: Annotated[int, Query(ge=1, le=2**62)], size: Size = None
    ) -> InclusionProof:
        tree_size = _tree_size_or_422(application, size)
        leaf_index = application.leaf_index_of(position)
        if leaf_index is None:
            raise NotFound(f"no event at position {position}")
        if leaf_index >= tree_size:
            raise ValidationFailed(
                f"position {position} is not in a tree of {tree_size} leaves", code="beyond_tree_size"
            )
        proof = application.tree.inclusion_proof(leaf_index, tree_size)
        return InclusionProof(leaf_index=leaf_index, tree_size=tree_size, hashes=_b64(proof))

    @router.get(
        "/proof/consistency",
        response_model=ConsistencyProof,
        response_model_by_alias=True,
        summary="一致性证明：大小 from 的树是大小 to 的树的前缀",
    )
    def consistency(
        application: Application,
        first: Annotated[int, Query(alias="from", ge=1, le=2**62)],
        second: Annotated[int | None, Query(alias="to", ge=1, le=2**62)] = None,
    ) -> ConsistencyProof:
        to = _tree_size_or_422(application, second)
        if first > to:
            raise ValidationFailed("from must not exceed to", code="invalid_range")
        proof = application.tree.consistency_proof(first, to)
        return ConsistencyProof.model_validate({"from": first, "to": to, "hashes": _b64(proof)})

    @router.get(
        "/export",
        response_class=StreamingResponse,
        summary="导出审计包（.tar.gz：检查点、公钥、events.jsonl、说明）（审计员、办公室）",
        responses={200: {"content": {"application/gzip": {}}}},
    )
    def export(
        application: Application,
        _: Auditor,
        after: Annotated[int, Query(ge=0, le=2**62, description="只导出位置大于此值的事件")] = 0,
        size: Size = None,
    ) -> StreamingResponse:
        tree_size = _tree_size_or_422(application, size)
        path, cleanup = bundle.write(application, after=after, size=tree_size)
        name = f"openness-{service}-{tree_size}.tar.gz"
        return StreamingResponse(
            bundle.chunks(path),
            media_type="application/gzip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
            background=BackgroundTask(cleanup),
        )

    return router
