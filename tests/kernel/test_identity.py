"""An external identity provider end to end (a key file or a JWKS URL, services calling each other
with OPENNESS_SERVICE_TOKEN), strict claims, production refusals, and the headers of every answer."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from shared.auth import CannotMint, ServiceCredentials, TokenVerifier, issue_token
from shared.cli import app as cli
from shared.errors import ServiceUnavailable, Unauthorized
from shared.settings import DEVELOPMENT_JWT_SECRET, Settings
from shared.timeutil import utcnow
from shared.web import RefusedToStart
from tests.catalogue.builders import record_body
from tests.e2e.processes import ROOT, free_port
from tests.support import assert_problem, auth, service_client

IDP_KEY = ed25519.Ed25519PrivateKey.generate()
KID = "idp-2026"


def _idp_token(roles: list[str], *, sub: str = "idp-user", dept: str | None = None, **claims: Any) -> str:
    now = int(utcnow().timestamp())
    body: dict[str, Any] = {"sub": sub, "roles": roles, "iss": "openness", "aud": "openness", "iat": now}
    body["exp"] = now + 600
    if dept:
        body["dept"] = dept
    body.update(claims)
    return jwt.encode(body, IDP_KEY, algorithm="EdDSA", headers={"kid": KID})


class Jwks:
    """The identity provider's JWKS endpoint on loopback."""

    def __init__(self) -> None:
        public = jwt.algorithms.OKPAlgorithm.to_jwk(IDP_KEY.public_key(), as_dict=True)
        document = json.dumps({"keys": [{**public, "kid": KID, "use": "sig", "alg": "EdDSA"}]}).encode()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    served = Jwks()
    yield served
    served.close()


def _idp_settings(settings: Settings, jwks: Jwks, **more: Any) -> Settings:
    return settings.model_copy(update={"jwt_algorithm": "EdDSA", "jwt_jwks_url": jwks.url, **more})


def test_tokens_verified_against_the_identity_providers_jwks(settings: Settings, jwks: Jwks) -> None:
    with service_client("catalogue", _idp_settings(settings, jwks)) as catalogue:
        editor = {"Authorization": f"Bearer {_idp_token(['editor'], dept='FIN')}"}
        created = catalogue.post("/catalogue/v1/records", json=record_body(department="FIN"), headers=editor)
        assert created.status_code == 201, created.text
        minted = issue_token(settings, sub="someone", roles=["editor"], dept="FIN")  # the shared secret's
        refused = catalogue.get("/catalogue/v1/records?department=FIN", headers={"Authorization": f"Bearer {minted}"})
        assert_problem(refused, 401, "token_invalid")
        assert refused.headers["www-authenticate"] == 'Bearer realm="openness", error="invalid_token"'
        stranger = jwt.encode(
            {"sub": "x"}, ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "other"}
        )
        assert_problem(catalogue.get("/catalogue/v1/webhooks", headers={"Authorization": f"Bearer {stranger}"}), 401)
    assert jwks.requests >= 1


def test_an_unreachable_jwks_is_503_not_a_bad_token(settings: Settings, jwks: Jwks) -> None:
    verifier = TokenVerifier(
        _idp_settings(settings, jwks).model_copy(update={"jwt_jwks_url": f"http://127.0.0.1:{free_port()}/jwks"})
    )
    with pytest.raises(ServiceUnavailable) as down:
        verifier.verify(_idp_token(["auditor"]))
    assert down.value.code == "identity_provider_unavailable"


def test_followers_present_the_service_token_and_refuse_to_start_without_one(settings: Settings, jwks: Jwks) -> None:
    idp = _idp_settings(settings, jwks)
    with pytest.raises(CannotMint, match="OPENNESS_SERVICE_TOKEN"):
        service_client("assessment", idp).__enter__()
    service_token = _idp_token(["auditor"], sub="service:assessment")
    with_token = idp.model_copy(update={"service_token": service_token})
    with service_client("catalogue", with_token) as catalogue, service_client("assessment", with_token) as assessment:
        editor = {"Authorization": f"Bearer {_idp_token(['editor'], dept='FIN')}"}
        assert catalogue.post("/catalogue/v1/records", json=record_body(), headers=editor).status_code == 201
        seen: list[str] = []
        original = catalogue.get

        def recording_get(url: str, **kwargs: Any) -> Any:
            seen.append(kwargs.get("headers", {}).get("Authorization", ""))
            return original(url, **kwargs)

        follower = next(f for f in assessment.app.state.followers if f.spec.upstream == "catalogue")  # type: ignore[attr-defined]
        follower.base_url, follower.client = "http://testserver", catalogue
        catalogue.get = recording_get  # type: ignore[method-assign]
        assert follower.catch_up() == 1
        assert seen
        assert all(h == f"Bearer {service_token}" for h in seen)


def test_internal_tokens_are_short_lived_and_renewed(settings: Settings) -> None:
    credentials = ServiceCredentials(settings, sub="service:assessment", roles=["auditor"])
    token = credentials.header()["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"], audience="openness")
    assert claims["exp"] - claims["iat"] == settings.internal_token_seconds == 300
    assert credentials.header()["Authorization"] == f"Bearer {token}"  # kept while it has time left
    credentials._renew_at = 0  # as if its renewal time had come
    renewed = credentials.header()["Authorization"].removeprefix("Bearer ")
    assert credentials._renew_at > utcnow().timestamp()  # minted again, renewal due a minute before its end
    assert jwt.decode(renewed, settings.jwt_secret, algorithms=["HS256"], audience="openness")["exp"] >= claims["exp"]


def test_readyz_is_not_ready_while_a_follower_cannot_read_its_source(settings: Settings) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    following = settings.model_copy(
        update={"follow": True, "catalogue_url": unreachable, "follower_retry_seconds": 0.2}
    )
    with service_client("interpretation", following) as interpretation:
        deadline = time.monotonic() + 15
        while interpretation.get("/readyz").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        public = interpretation.get("/readyz")
        assert public.status_code == 503
        assert public.json()["status"] == "follower_failing"
        [view] = public.json()["followers"]
        assert (view["url"], view["last_error"], view["failing"]) == (
            None,
            None,
            True,
        )  # no internal address, no error text
        office = interpretation.get("/readyz", headers=auth(settings, "office")).json()
        assert office["followers"][0]["url"] == unreachable
        assert "ConnectError" in office["followers"][0]["last_error"]


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"exp": "9999999999"}, "exp must be a number"),
        ({"exp": True}, "expired|exp must be a number"),  # PyJWT reads True as 1 (1970): refused either way
        ({"exp": 10**30}, "lives longer"),
        ({"iat": 0, "exp": 10**10}, "lives longer"),
    ],
)
def test_claims_are_strict(settings: Settings, claims: dict[str, Any], why: str) -> None:
    now = int(utcnow().timestamp())
    body = {"sub": "u", "roles": ["auditor"], "iss": "openness", "aud": "openness", "exp": now + 60, **claims}
    token = jwt.encode(body, settings.jwt_secret, algorithm="HS256")
    with pytest.raises(Unauthorized, match=why):
        TokenVerifier(settings).verify(token)


def test_the_token_command_refuses_what_the_services_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.settings import get_settings

    monkeypatch.setenv("OPENNESS_JWT_ALGORITHM", "EdDSA")
    monkeypatch.setenv("OPENNESS_JWT_JWKS_URL", "https://idp.example.gov.cn/jwks.json")
    get_settings.cache_clear()
    try:
        minted = CliRunner().invoke(cli, ["token", "--role", "office"])
        assert minted.exit_code == 1
        assert "identity provider" in minted.output
        monkeypatch.setenv("OPENNESS_JWT_ALGORITHM", "HS256")
        get_settings.cache_clear()
        too_long = CliRunner().invoke(cli, ["token", "--role", "office", "--hours", "48"])
        assert too_long.exit_code == 2
        assert "OPENNESS_JWT_MAX_LIFETIME_SECONDS" in too_long.output
    finally:
        get_settings.cache_clear()


def test_production_refuses_development_settings(settings: Settings) -> None:
    from services.catalogue.main import create_app

    production = settings.model_copy(update={"env": "production", "jwt_secret": DEVELOPMENT_JWT_SECRET})
    with pytest.raises(RefusedToStart) as refused:
        create_app(production)
    message = str(refused.value)
    assert "development secret" in message
    assert "OPENNESS_AUDIT_SIGNING_KEY" in message
    ready = production.model_copy(
        update={
            "jwt_secret": "a-production-secret-of-enough-length",
            "audit_signing_key": "an-audit-key",
            "database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        }
    )
    assert ready.production_refusals() == []
    assert "SQLite" in " ".join(ready.model_copy(update={"database_url": None}).production_refusals())


def test_serve_says_why_it_refuses(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "OPENNESS_ENV": "production",
        "OPENNESS_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "serve", "catalogue", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "refuses to start in production" in result.stderr
    assert "SQLite" in result.stderr


def test_answers_carry_security_headers_and_no_banner(tmp_path: Path) -> None:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "OPENNESS_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "serve", "catalogue", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
        public = httpx.get(f"{url}/catalogue/v1/records")
        private = httpx.get(f"{url}/catalogue/v1/records?status=draft", headers=auth(settings, "editor", dept="FIN"))
        anonymous = httpx.get(f"{url}/catalogue/v1/webhooks")
        for answer in (public, private, anonymous):
            assert "server" not in answer.headers
            assert answer.headers["x-content-type-options"] == "nosniff"
        assert private.headers["cache-control"] == "no-store"
        assert "no-store" not in public.headers.get("cache-control", "")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == 'Bearer realm="openness"'
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_issue_token_refuses_without_the_secret(settings: Settings, jwks: Jwks) -> None:
    with pytest.raises(CannotMint):
        issue_token(_idp_settings(settings, jwks), sub="x", roles=["office"], ttl=timedelta(minutes=5))
