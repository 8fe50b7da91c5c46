"""Slow clients (headers dribbled, bodies never finished, answers never read) hold connections,
not the service: health, readiness and writes answer meanwhile, and half-sent writes record nothing."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.e2e.processes import cluster
from tests.support import auth

EACH = 30  # connections of each kind of slow client
PATIENCE = 10.0


def _connect(port: int, first_bytes: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(first_bytes)
    return sock


def test_slow_clients_hold_connections_not_the_service(settings: Settings, tmp_path: Path) -> None:
    editor = auth(settings, "editor", dept="FIN")
    with cluster(settings, tmp_path, services=("catalogue",)) as running:
        url, port = running.url("catalogue"), running.ports["catalogue"]
        token = editor["Authorization"]
        slow: list[socket.socket] = []
        try:
            for _ in range(EACH):  # a request line and half the headers, then nothing
                slow.append(_connect(port, b"GET /catalogue/v1/records HTTP/1.1\r\nHost: x\r\nAccept: */*"))
            for _ in range(EACH):  # a write whose body never finishes
                head = (
                    f"POST /catalogue/v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                ).encode()
                slow.append(_connect(port, head + b'{"department": "FIN", "title": "'))
            for _ in range(EACH):  # answers asked for and never read
                slow.append(_connect(port, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * 20))
            time.sleep(0.5)
            with httpx.Client(timeout=60) as client:
                for probe in ("/healthz", "/readyz"):
                    started = time.perf_counter()
                    assert client.get(url + probe).status_code == 200
                    assert time.perf_counter() - started < PATIENCE
                started = time.perf_counter()
                created = client.post(f"{url}/catalogue/v1/records", json=record_body(), headers=editor)
                assert created.status_code == 201, created.text
                assert time.perf_counter() - started < PATIENCE
        finally:
            for sock in slow:
                sock.close()
        with httpx.Client(timeout=30) as client:
            assert client.get(f"{url}/readyz").status_code == 200  # and after they went away
            assert client.get(f"{url}/catalogue/v1/audit/head").json()["position"] == 1  # half-sent writes: nothing
