"""The production layout is valid: compose accepts it, the gateway routes every service."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.settings import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose (Debian package) is not installed")
def test_docker_compose_accepts_the_file() -> None:
    secrets = {"OPENNESS_JWT_SECRET": "compose-check", "OPENNESS_AUDIT_SIGNING_KEY": "audit", "POSTGRES_PASSWORD": "pw"}
    env = {**os.environ, **secrets}
    command = ["docker-compose", "-f", str(ROOT / "docker-compose.yml")]
    checked = subprocess.run([*command, "config", "-q"], env=env, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    listed = subprocess.run([*command, "config", "--services"], env=env, capture_output=True, text=True, check=True)
    assert set(listed.stdout.split()) == {*SERVICES, "catalogue-2", "postgres", "gateway"}
    rendered = subprocess.run([*command, "config"], env=env, capture_output=True, text=True, check=True).stdout
    assert "pg_isready" in rendered
    assert "OPENNESS_PUBLIC_URL: /" in rendered  # the desk links sources through the gateway
    assert "published: 8000" in rendered or "8000:8000" in rendered


def test_compose_has_no_default_secrets_and_runs_as_production() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("OPENNESS_JWT_SECRET", "OPENNESS_AUDIT_SIGNING_KEY", "POSTGRES_PASSWORD"):
        assert "${" + secret + ":?" in text  # compose stops when it is not given
        assert "${" + secret + ":-" not in text  # and never falls back to a default
    assert "OPENNESS_ENV: production" in text


def test_the_gateway_routes_each_service_by_its_first_path_segment() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 8000;" in conf
    for service in SERVICES:
        assert f"server {service}:{DEFAULT_PORTS[service]};" in conf
        assert re.search(rf"location /{service}/\s+{{ proxy_pass http://{service}; }}", conf)


def test_two_catalogue_replicas_serve_behind_the_gateway() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    replica = compose.split("  catalogue-2:\n", 1)[1].split("\n\n", 1)[0]
    assert '"serve", "catalogue"' in replica  # the same service...
    assert "<<: *service-env" in replica  # ...on the same store with the same settings
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream catalogue\s+{([^}]*)}", conf)
    assert upstream is not None
    assert upstream.group(1).split(";")[:2] == [" server catalogue:8001", " server catalogue-2:8001"]


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.MULTILINE))


def test_the_image_installs_the_runtime_lock_at_the_tested_versions() -> None:
    runtime, tested = _pins("requirements-runtime.lock"), _pins("requirements.lock")
    assert {name: version for name, version in runtime.items() if tested.get(name) != version} == {}
    for tool in ("pytest", "mypy", "ruff", "selenium", "hypothesis"):
        assert tool in tested
        assert tool not in runtime  # the production image ships no test or lint tooling
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install -r requirements-runtime.lock" in dockerfile
    assert 'CMD ["openness", "healthcheck"]' in dockerfile
    assert "PORT" not in dockerfile  # the healthcheck needs no variable naming the port
