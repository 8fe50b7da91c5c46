"""Start the services as real `openness serve` processes on free loopback ports."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from shared.settings import SERVICES, Settings
from tests.support import PERSONAL_DATA

ROOT = Path(__file__).resolve().parents[2]


_HANDED_OUT: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default start of the ephemeral range


def free_port() -> int:
    """A loopback port free now, never handed out before in this run, and outside the ephemeral range.

    A port the kernel picks for ``bind(0)`` is ephemeral: between this call and the service's own bind,
    an outgoing connection (a follower's poll, a PostgreSQL client) may take it, or a later call may pick
    it again; a service started on it would then find it taken, or its clients a neighbour answering.
    """
    rng = random.SystemRandom()
    low = min(_ephemeral_low(), 60000)
    for _ in range(1000):
        port = rng.randrange(20000, low) if low > 21000 else rng.randrange(1024, 65536)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free loopback port found")


class Cluster:
    def __init__(self, settings: Settings, log_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.extra_env = extra_env or {}
        self.ports = {service: free_port() for service in SERVICES}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENNESS_")}
        env.update(
            OPENNESS_DATA_DIR=str(self.settings.data_dir),
            OPENNESS_JWT_SECRET=self.settings.jwt_secret,
            OPENNESS_FOLLOWER_WAIT_SECONDS="1",
            OPENNESS_FOLLOWER_RETRY_SECONDS="0.2",
            OPENNESS_FOLLOWER_BATCH_SIZE="7",
            OPENNESS_LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        if self.settings.database_url:
            env["OPENNESS_DATABASE_URL"] = self.settings.database_url
            env["OPENNESS_DATABASE_SCHEMA_PREFIX"] = self.settings.database_schema_prefix
        for service in SERVICES:
            env[f"OPENNESS_{service.upper()}_URL"] = self.url(service)
        env.update(self.extra_env)
        return env

    def start(self, service: str) -> None:
        log = (self.log_dir / f"{service}.log").open("ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", service, "--port", str(self.ports[service])],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_healthy(service)

    def wait_healthy(self, service: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[service].poll() is not None:
                raise RuntimeError(f"{service} exited: {(self.log_dir / f'{service}.log').read_text()[-2000:]}")
            try:
                ready = httpx.get(f"{self.url(service)}/readyz", timeout=1)
                body = ready.json()
                # serving (this service, not a neighbour on a reused port); a follower whose source is not
                # started (yet) in this cluster is no failure here
                if (
                    isinstance(body, dict)
                    and body.get("service") == service
                    and (ready.status_code == 200 or body.get("status") == "follower_failing")
                ):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{service} did not become ready")

    def kill(self, service: str) -> None:
        process = self.processes.pop(service)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


@contextmanager
def cluster(
    settings: Settings,
    log_dir: Path,
    services: tuple[str, ...] = SERVICES,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    running = Cluster(settings, log_dir, extra_env)
    try:
        for service in services:
            running.start(service)
        yield running
    finally:
        running.stop()
    leaks = [
        f"{log.name}: {line[:300]}"
        for log in sorted(log_dir.glob("*.log"))
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(marker in line for marker in PERSONAL_DATA)
    ]
    assert leaks == [], "personal data in the services' logs"


def eventually(check: object, timeout: float = 60, interval: float = 0.2) -> object:
    """Poll ``check`` until it returns something truthy (followers are asynchronous by design)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()  # type: ignore[operator]
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
