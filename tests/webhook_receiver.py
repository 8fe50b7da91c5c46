"""A receiving platform on loopback: verifies every delivery with the ``standardwebhooks`` library,
keeps what it accepted (deduplicated by ``webhook-id``), and fails on request."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Receiver:
    def __init__(self, port: int = 0, *, tls: ssl.SSLContext | None = None) -> None:
        self.secret: str | None = None
        self.events: dict[str, dict[str, Any]] = {}  # webhook-id -> the CloudEvent accepted
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.bad_signatures = 0
        self.fail: Counter[int] = Counter()  # event position -> answers still to fail with `fail_status`
        self.fail_status = 500
        self.extra_headers: dict[str, str] = {}
        self.answer_all: int | None = None  # every delivery answered with this status (e.g. 410)
        self.flaky_every: int | None = None  # the first attempt at every n-th position fails
        self.delay = 0.0  # seconds before answering (a slow receiver)
        self.redirect_to: str | None = None  # answer 307 with this Location
        self.answer_body = ""  # sent with every answer (a receiver saying more than it needs to)
        self._failed_once: set[str] = set()
        self.lock = threading.Lock()
        self.stopped = False
        self._connections: set[socket.socket] = set()  # open keep-alive connections, closed on stop
        self.connections_opened = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def setup(self) -> None:
                super().setup()
                with receiver.lock:
                    receiver._connections.add(self.connection)
                    receiver.connections_opened += 1

            def finish(self) -> None:
                with receiver.lock:
                    receiver._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                declared = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(declared)
                if receiver.stopped or len(body) < declared:
                    # a stopped receiver answers nothing; a body cut short (the sender died mid-request)
                    # is a broken connection, not a delivery to judge
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.accept(body, headers)
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("location", receiver.redirect_to)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                answer = receiver.answer_body.encode()
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        self.scheme = "http"
        if tls is not None:  # HTTPS with the given server context (its certificate, its SNI callback)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks"

    def accept(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.bodies.append(body)
            self.headers.append(headers)
            try:
                assert self.secret is not None
                event = Webhook(self.secret).verify(body, headers)
            except (WebhookVerificationError, AssertionError):
                self.bad_signatures += 1
                return 400
            if self.redirect_to:
                return 307
            if self.answer_all is not None:
                return self.answer_all
            message_id = headers["webhook-id"]
            if self.flaky_every and event["position"] % self.flaky_every == 0 and message_id not in self._failed_once:
                self._failed_once.add(message_id)
                return 500
            if self.fail[event["position"]] > 0:
                self.fail[event["position"]] -= 1
                return self.fail_status
            self.events.setdefault(message_id, event)
            return 204

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Stop as a real receiver going away does: no new connections and none kept alive."""
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.close_connections()

    def close_connections(self) -> None:
        """Close every open connection (as a receiver's idle timeout or a restart does)."""
        with self.lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


def positions(receiver: Receiver) -> list[int]:
    return sorted(int(e["position"]) for e in receiver.events.values())
