"""The sender of webhook deliveries on its own: TLS to a pinned address with the URL's host name
for SNI and certificate checks, kept-alive connections that survive a receiver closing them, and
a bounded read of what a receiver answers."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.x509.oid import NameOID

from shared.webhooks.deliverer import Sender
from shared.webhooks.messages import new_secret, signed_headers
from tests.webhook_receiver import Receiver

HOST = "hooks.province.test"  # never resolved by DNS: the tests' resolver maps it to loopback


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    key = generate_private_key(SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def _tls_receiver(tmp: Path, name: str, seen_names: list[str | None]) -> tuple[Receiver, Path]:
    cert_file, key_file = _certificate(tmp, name)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    server.sni_callback = lambda _socket, server_name, _context: seen_names.append(server_name)  # type: ignore[assignment,func-returns-value]
    return Receiver(tls=server), cert_file


def _post(sender: Sender, receiver: Receiver, url: str, n: int = 1) -> tuple[int | None, str | None]:
    body = f'{{"position":{n}}}'.encode()
    assert receiver.secret is not None
    headers = signed_headers(secret=receiver.secret, msg_id=f"m-{n}", body=body, at=datetime.now(UTC))
    outcome = sender.send(url, body, headers, datetime.now(UTC))
    return outcome.status_code, outcome.error


@pytest.fixture
def plain() -> Iterator[Receiver]:
    with Receiver() as receiver:
        receiver.secret = new_secret()
        yield receiver


def test_tls_goes_to_the_checked_address_and_names_the_host(tmp_path: Path) -> None:
    seen: list[str | None] = []
    receiver, cert_file = _tls_receiver(tmp_path, HOST, seen)
    with receiver:
        receiver.secret = new_secret()
        trusted = ssl.create_default_context(cafile=str(cert_file))
        resolved: list[str] = []

        def resolve(host: str, port: int) -> list[str]:
            resolved.append(host)
            return ["127.0.0.1"]

        sender = Sender(allow_private=True, timeout=5, tls=trusted, resolve=resolve)
        url = f"https://{HOST}:{receiver.port}/hooks"
        assert _post(sender, receiver, url) == (204, None)
        assert _post(sender, receiver, url, 2) == (204, None)
        sender.close()
    assert seen == [HOST]  # one TLS handshake, SNI naming the host; the second went on the same connection
    assert resolved == [HOST]  # resolved (and checked) once, for the one connection opened
    assert [h["host"] for h in receiver.headers] == [f"{HOST}:{receiver.port}"] * 2
    assert len(receiver.events) == 2


def test_a_certificate_for_another_name_is_a_failed_attempt(tmp_path: Path) -> None:
    seen: list[str | None] = []
    receiver, cert_file = _tls_receiver(tmp_path, "someone-else.test", seen)
    with receiver:
        receiver.secret = new_secret()
        sender = Sender(
            allow_private=True,
            timeout=5,
            tls=ssl.create_default_context(cafile=str(cert_file)),
            resolve=lambda host, port: ["127.0.0.1"],
        )
        status, error = _post(sender, receiver, f"https://{HOST}:{receiver.port}/hooks")
        sender.close()
    assert status is None
    assert error == "connection failed: SSLCertVerificationError"
    assert receiver.bodies == []


def test_a_connection_the_receiver_closed_is_opened_again(plain: Receiver) -> None:
    sender = Sender(allow_private=True, timeout=5)
    assert _post(sender, plain, plain.url, 1) == (204, None)
    plain.close_connections()  # as a receiver's idle timeout does
    assert _post(sender, plain, plain.url, 2) == (204, None)
    sender.close()
    assert len(plain.events) == 2
    assert plain.connections_opened == 2


def test_a_long_answer_is_read_only_so_far_and_the_status_counts(plain: Receiver) -> None:
    plain.fail[1] = 1
    plain.fail_status = 503
    plain.extra_headers = {"retry-after": "7"}
    plain.answer_body = "错" * 100_000  # 300 kB the sender does not keep
    sender = Sender(allow_private=True, timeout=5)
    body = b'{"position":1}'
    assert plain.secret is not None
    headers = signed_headers(secret=plain.secret, msg_id="m-1", body=body, at=datetime.now(UTC))
    outcome = sender.send(plain.url, body, headers, datetime.now(UTC))
    assert (outcome.status_code, outcome.error, outcome.retry_after) == (503, "HTTP 503", 7.0)
    plain.answer_body = ""
    assert _post(sender, plain, plain.url, 1)[0] == 204
    sender.close()
    assert plain.connections_opened == 2  # the sender closed the first rather than read all of the answer
