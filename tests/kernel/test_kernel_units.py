"""Kernel pieces alone: external-IdP keys, the departments file, JSON logs, the token command."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from typer.testing import CliRunner

from shared.auth import TokenVerifier
from shared.cli import app as cli
from shared.departments import Departments
from shared.errors import RuleViolated, Unauthorized
from shared.observability import JsonFormatter, request_id
from shared.settings import Settings, get_settings
from shared.timeutil import utcnow


def _claims() -> dict[str, object]:
    return {
        "sub": "idp-user",
        "roles": ["head"],
        "dept": "EDU",
        "iss": "openness",
        "aud": "openness",
        "exp": int((utcnow() + timedelta(minutes=5)).timestamp()),
    }


@pytest.mark.parametrize(
    ("algorithm", "private_key"),
    [
        ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
        ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ],
)
def test_tokens_from_an_external_identity_provider(tmp_path: Path, algorithm: str, private_key: object) -> None:
    public_pem = private_key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_file = tmp_path / "idp.pem"
    key_file.write_bytes(public_pem)
    verifier = TokenVerifier(Settings(_env_file=None, jwt_algorithm=algorithm, jwt_public_key_file=key_file))  # type: ignore[call-arg]
    principal = verifier.verify(jwt.encode(_claims(), private_key, algorithm=algorithm))  # type: ignore[arg-type]
    assert (principal.sub, principal.dept, set(principal.roles)) == ("idp-user", "EDU", {"head"})
    with pytest.raises(Unauthorized):  # an HS256 token signed with the public key text is refused
        verifier.verify(jwt.encode(_claims(), "some-shared-secret-that-is-long-enough", algorithm="HS256"))


def test_departments_come_from_a_data_file(tmp_path: Path) -> None:
    default = Departments()
    for code in (
        "FIN",
        "DRC",
        "PRTC",
        "CIV",
        "AGR",
        "EDU",
        "HEALTH",
        "ENV",
        "CULT",
        "SPORT",
        "EGOV",
        "SUPV",
        "PROP",
        "CAC",
        "PSB",
        "TELECOM",
    ):
        assert code in default
    assert default.name_of("FIN") == "市财政局"
    custom = tmp_path / "departments.json"
    custom.write_text(json.dumps([{"code": "TAX", "name": "市税务局"}], ensure_ascii=False), encoding="utf-8")
    only_tax = Departments(custom)
    assert only_tax.codes() == ["TAX"]
    with pytest.raises(RuleViolated, match="FIN"):
        only_tax.check("FIN")


def test_log_lines_are_json_with_the_request_id() -> None:
    token = request_id.set("req-123")
    try:
        record = logging.LogRecord("openness.http", logging.INFO, __file__, 1, "request", None, None)
        record.__dict__.update(path="/catalogue/v1/records", status=201)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "req-123"
    assert line["path"] == "/catalogue/v1/records"
    assert line["status"] == 201


def test_the_token_command_prints_a_verifiable_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENNESS_JWT_SECRET", "cli-secret-that-is-long-enough-for-hs256")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["token", "--role", "editor", "--dept", "FIN", "--sub", "zhang"])
        assert result.exit_code == 0, result.output
        principal = TokenVerifier(get_settings()).verify(result.output.strip())
        assert (principal.sub, principal.dept, set(principal.roles)) == ("zhang", "FIN", {"editor"})
        refused = CliRunner().invoke(cli, ["token", "--role", "admin"])
        assert refused.exit_code != 0
    finally:
        get_settings.cache_clear()
