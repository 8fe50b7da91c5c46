"""Whose address a request comes from: X-Forwarded-For is believed only from a trusted gateway."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from shared.clientaddr import client_address


def request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 50000)})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "address"),
    [
        ("203.0.113.9", "1.2.3.4", "", "203.0.113.9"),  # nobody trusted: the header is ignored
        ("203.0.113.9", "1.2.3.4", "10.0.0.0/8", "203.0.113.9"),  # an untrusted peer cannot choose its address
        ("10.0.0.2", "198.51.100.7", "10.0.0.0/8", "198.51.100.7"),  # the gateway says who the client is
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "10.0.0.0/8", "198.51.100.7"),  # a forged first hop is skipped
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "10.0.0.0/8,192.168.1.1", "198.51.100.7"),  # trusted hops skipped
        ("10.0.0.2", None, "10.0.0.0/8", "10.0.0.2"),
        ("::1", "2001:db8::5", "::1", "2001:db8::5"),
    ],
)
def test_client_address(peer: str, forwarded: str | None, trusted: str, address: str) -> None:
    assert client_address(request(peer, forwarded), trusted) == address


def test_rotating_the_header_does_not_escape_the_comment_limit() -> None:
    from shared.errors import TooManyRequests
    from shared.ratelimit import RateLimiter

    limiter = RateLimiter(5, 60)
    for n in range(5):
        limiter.hit(client_address(request("203.0.113.9", f"1.2.3.{n}"), "10.0.0.0/8"))
    with pytest.raises(TooManyRequests):
        limiter.hit(client_address(request("203.0.113.9", "1.2.3.99"), "10.0.0.0/8"))
