"""The client's address: the peer, or what a trusted gateway says in ``X-Forwarded-For``.

Only a peer listed in ``OPENNESS_TRUSTED_PROXIES`` is believed (api.md "Serving"); its header is
read from the right, skipping trusted hops, so a client cannot choose its own address by
sending the header itself. Everything per client (the comment rate limit, the access log)
uses this one function.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """``OPENNESS_TRUSTED_PROXIES``: comma-separated addresses or networks (``10.0.0.0/8``)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted: str) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = trusted_networks(trusted)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
