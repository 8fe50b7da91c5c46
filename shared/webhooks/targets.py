"""Where a webhook may deliver: the SSRF defences of api.md "Webhooks".

A URL is checked when the webhook is created and again at every connection: the host is
resolved, every address it resolves to must be public (loopback, private, link-local,
multicast, unspecified and other non-global ranges are refused unless
``OPENNESS_WEBHOOK_ALLOW_PRIVATE``), and the connection is made to an address so checked
(pinned: the name is not resolved a second time, so a rebinding DNS answer cannot redirect it).
Every spelling of an address is refused alike, because the check is on what the resolver
returns (``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``[::ffff:127.0.0.1]`` are all 127.0.0.1);
IPv4-mapped and 6to4 IPv6 addresses are judged by the IPv4 address inside them.
Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.errors import ValidationFailed

MAX_URL_LENGTH = 2000

Resolver = Callable[[str, int], Sequence[str]]  # host, port -> the addresses it resolves to


class RefusedTarget(ValidationFailed):
    code = "webhook_url_refused"


def system_resolver(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RefusedTarget(f"the webhook host {host!r} cannot be resolved", reason="unresolvable") from error
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


@dataclass(frozen=True)
class Target:
    """A checked URL and the addresses a connection to it may use."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent
    addresses: tuple[str, ...]

    def url_for(self, address: str) -> str:
        shown = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{shown}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _judged(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a scope id (fe80::1%eth0) does not change the range
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is not None:
            return inner
    return ip


def refusal(address: str) -> str | None:
    """Why a connection to ``address`` is refused when private targets are not allowed, or None."""
    ip = _judged(address)
    for reason, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link_local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not_global", not ip.is_global),
    ):
        if flag:
            return reason
    return None


def check_url(url: str, *, allow_private: bool, resolve: Resolver = system_resolver) -> Target:
    """The target of ``url``, or ``RefusedTarget`` (422) naming why."""
    if len(url) > MAX_URL_LENGTH or any(ord(c) < 0x21 or c == "\\" for c in url):
        raise RefusedTarget("the webhook URL is too long or holds spaces, controls or backslashes", reason="malformed")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedTarget(f"the webhook URL is not a valid URL: {error}", reason="malformed") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise RefusedTarget("a webhook URL is https", reason="scheme")
    if scheme == "http" and not allow_private:
        raise RefusedTarget(
            "a webhook URL is https (plain http only where private targets are allowed)", reason="scheme"
        )
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("a webhook URL carries no credentials (the signature authenticates)", reason="credentials")
    host = parts.hostname
    if not host:
        raise RefusedTarget("the webhook URL has no host", reason="malformed")
    port = port or (443 if scheme == "https" else 80)
    addresses = tuple(resolve(host, port))
    if not addresses:
        raise RefusedTarget(f"the webhook host {host!r} resolves to no address", reason="unresolvable")
    if not allow_private:
        for address in addresses:
            why = refusal(address)
            if why is not None:
                raise RefusedTarget(
                    f"the webhook host {host!r} resolves to a {why.replace('_', '-')} address; it is refused",
                    reason=why,
                )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, addresses=addresses)
