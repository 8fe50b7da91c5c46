"""The SSRF table of api.md "Webhooks": every spelling of loopback, private ranges, link-local,
metadata addresses, names resolving to them; public targets accepted and pinned."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import pytest

from shared.webhooks.targets import RefusedTarget, check_url

NAMES = {  # a stand-in DNS: what each name resolves to
    "receiver.example.gov.cn": ["203.0.113.10"],  # documentation range: not global, used below as "private"
    "platform.example.com": ["93.184.216.34"],
    "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
    "intranet.example.com": ["10.1.2.3"],
    "rebind.example.com": ["93.184.216.34", "127.0.0.1"],  # one public answer does not launder a loopback one
    "metadata.google.internal": ["169.254.169.254"],
    "localhost": ["127.0.0.1", "::1"],
    "router.example.com": ["192.168.1.1"],
    "cgnat.example.com": ["100.64.0.1"],
}


def fake_resolver(host: str, port: int) -> Sequence[str]:
    if host in NAMES:
        return NAMES[host]
    try:  # numeric spellings only, as the system resolver reads them: no network involved
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except OSError:
        raise RefusedTarget(f"the webhook host {host!r} cannot be resolved", reason="unresolvable") from None
    return [str(answer[4][0]) for answer in answers]


REFUSED: list[tuple[str, str]] = [
    ("https://127.0.0.1/hook", "loopback"),
    ("https://127.1/hook", "loopback"),
    ("https://2130706433/hook", "loopback"),  # decimal
    ("https://0177.0.0.1/hook", "loopback"),  # octal
    ("https://0x7f.0.0.1/hook", "loopback"),  # hex
    ("https://0x7f000001/hook", "loopback"),
    ("https://127.255.255.254/hook", "loopback"),
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
    ("https://[::ffff:7f00:1]/hook", "loopback"),
    ("https://[2002:7f00:1::]/hook", "loopback"),  # 6to4 around 127.0.0.1
    ("https://localhost/hook", "loopback"),
    ("https://0.0.0.0/hook", "unspecified"),
    ("https://[::]/hook", "unspecified"),
    ("https://10.0.0.1/hook", "private"),
    ("https://172.16.5.4/hook", "private"),
    ("https://192.168.0.10/hook", "private"),
    ("https://[fd00::1]/hook", "private"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://169.254.169.254/latest/meta-data/", "link_local"),  # cloud metadata
    ("https://[fe80::1]/hook", "link_local"),
    ("https://metadata.google.internal/computeMetadata/v1/", "link_local"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://[ff02::1]/hook", "multicast"),
    ("https://intranet.example.com/hook", "private"),  # a name resolving to a private address
    ("https://router.example.com/hook", "private"),
    ("https://rebind.example.com/hook", "loopback"),
    ("https://cgnat.example.com/hook", "not_global"),
    ("https://192.0.2.1/hook", "private"),  # documentation range
    ("https://240.0.0.1/hook", "private"),  # reserved
    ("http://platform.example.com/hook", "scheme"),  # plain http only where private targets are allowed
    ("ftp://platform.example.com/hook", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("gopher://127.0.0.1:6379/_INFO", "scheme"),
    ("https://user:pass@platform.example.com/hook", "credentials"),
    ("https://platform.example.com:99999/hook", "malformed"),
    ("https://platform.example.com/ho ok", "malformed"),
    ("https:///hook", "malformed"),
    ("https://no-such-host.invalid/hook", "unresolvable"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=[u for u, _ in REFUSED])
def test_refused_targets(url: str, reason: str) -> None:
    with pytest.raises(RefusedTarget) as refused:
        check_url(url, allow_private=False, resolve=fake_resolver)
    assert refused.value.code == "webhook_url_refused"
    assert refused.value.extra["reason"] == reason


def test_at_least_thirty_refused_spellings() -> None:
    assert len(REFUSED) >= 30


@pytest.mark.parametrize(
    ("url", "address", "host_header"),
    [
        ("https://platform.example.com/hook?x=1", "93.184.216.34", "platform.example.com"),
        ("https://platform.example.com:8443/h", "93.184.216.34", "platform.example.com:8443"),
        ("https://v6.example.com/hook", "2606:2800:220:1:248:1893:25c8:1946", "v6.example.com"),
        ("https://93.184.216.34/hook", "93.184.216.34", "93.184.216.34"),
    ],
)
def test_public_targets_are_accepted_and_pinned_to_their_checked_addresses(
    url: str, address: str, host_header: str
) -> None:
    target = check_url(url, allow_private=False, resolve=fake_resolver)
    assert target.addresses == (address,)
    assert target.host_header == host_header
    pinned = target.url_for(address)
    assert address in pinned
    assert pinned.endswith(target.path)


def test_private_targets_and_plain_http_where_allowed() -> None:
    target = check_url("http://127.0.0.1:9000/hook", allow_private=True, resolve=fake_resolver)
    assert (target.scheme, target.addresses, target.url_for("127.0.0.1")) == (
        "http",
        ("127.0.0.1",),
        "http://127.0.0.1:9000/hook",
    )
    with pytest.raises(RefusedTarget):  # credentials and other schemes stay refused
        check_url("http://u:p@127.0.0.1/hook", allow_private=True, resolve=fake_resolver)
