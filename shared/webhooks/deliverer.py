"""The deliverer of one service process: queues the feed's events for each webhook, then sends
them, retried on the schedule, each receiver in its own lane.

Durable and exactly-once in its bookkeeping: queuing a batch of events (one delivery row each,
unique per webhook and position) and moving the webhook's ``queued_to`` happen in one
transaction, guarded by the position read before; an attempt is claimed by moving its
``next_attempt_at`` past a lease before it is sent, and recorded afterwards. A process killed
mid-send leaves the delivery due again when the lease ends, so it is sent again (with the same
``webhook-id``): at least once, never skipped. Replicas of a service may all run one.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from shared.webhooks import registry
from shared.webhooks.messages import cloud_event, signed_headers
from shared.webhooks.targets import RefusedTarget, Resolver, Target, check_url, system_resolver

if TYPE_CHECKING:
    from shared.application import ServiceApplication

log = logging.getLogger(__name__)

QUEUE_BATCH = 500  # feed events queued per webhook per transaction
DUE_BATCH = 200  # due deliveries looked at per round
LANE_BATCH = 100  # deliveries one lane claims, sends and records at a time
IDLE_SECONDS = 0.5  # a round without a wake-up (a commit, a finished lane) at least this often
ROUND_GAP_SECONDS = 0.05  # rounds at most this often: a burst of commits costs a round, not one each


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    return None


MAX_RESPONSE_BYTES = 64 * 1024  # of a receiver's answer, read and thrown away; more closes the connection
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to a checked address, with SNI and certificate verification for the URL's host name."""

    def __init__(self, address: str, port: int, *, server_name: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self.server_name = server_name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)  # type: ignore[attr-defined]


@dataclass
class _Open:
    """A kept-alive connection of one sending thread to one webhook URL, at the address checked
    when it was opened."""

    target: Target
    connection: http.client.HTTPConnection


class Sender:
    """POSTs to a checked, pinned address: the URL is checked before every new connection, the
    connection goes to an address the check accepted (``Host`` and TLS SNI name the host), and
    redirects are not followed (a 3xx is a failed attempt).

    The standard library's ``http.client`` does the HTTP/1.1 exchange: it costs half the CPU of
    httpx per request, which is what bounds deliveries per second (bench/webhooks.py). Each
    sending thread keeps its own connections alive (one per URL); the timeout applies to the
    connect and to every read and write.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        timeout: float,
        tls: ssl.SSLContext | None = None,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.resolve = resolve
        self.tls = tls or ssl.create_default_context()
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []  # every connection opened, for close()
        self._all_lock = threading.Lock()

    def _open(self) -> dict[str, _Open]:
        if not hasattr(self._local, "open"):
            self._local.open = {}
        return self._local.open  # type: ignore[no-any-return]

    def send(self, url: str, body: bytes, headers: dict[str, str], now: datetime) -> Outcome:
        kept = self._open().pop(url, None)
        if kept is not None:
            try:
                return self._exchange(url, kept, body, headers, now)
            except _STALE:
                kept.connection.close()  # the receiver closed it while idle: a new connection below
            except TimeoutError:
                kept.connection.close()
                return Outcome(None, "timeout")
            except (OSError, http.client.HTTPException) as error:
                kept.connection.close()
                return Outcome(None, f"connection failed: {type(error).__name__}")
        try:
            target = check_url(url, allow_private=self.allow_private, resolve=self.resolve)
        except RefusedTarget as refused:
            return Outcome(None, f"refused: {refused.detail}"[:500])
        failure = "no address"
        for address in target.addresses:
            opened = _Open(target, self._connection(target, address))
            try:
                return self._exchange(url, opened, body, headers, now)
            except TimeoutError:
                opened.connection.close()
                return Outcome(None, "timeout")
            except (OSError, http.client.HTTPException) as error:
                opened.connection.close()
                failure = f"connection failed: {type(error).__name__}"  # the next checked address of the host
        return Outcome(None, failure)

    def _connection(self, target: Target, address: str) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPS(
                address, target.port, server_name=target.host, timeout=self.timeout, context=self.tls
            )
        else:
            connection = http.client.HTTPConnection(address, target.port, timeout=self.timeout)
        with self._all_lock:
            self._all = [c for c in self._all if c.sock is not None]
            self._all.append(connection)
        return connection

    def _exchange(self, url: str, opened: _Open, body: bytes, headers: dict[str, str], now: datetime) -> Outcome:
        connection = opened.connection
        connection.request(
            "POST", opened.target.path, body=body, headers={**headers, "host": opened.target.host_header}
        )
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        if response.will_close or not response.isclosed():
            connection.close()  # the receiver closes it, or answered more than is read
        else:
            self._open()[url] = opened
        retry_after = _retry_after(response.getheader("retry-after"), now)
        refusal = None if 200 <= response.status < 300 else f"HTTP {response.status}"
        return Outcome(response.status, refusal, retry_after)

    def close(self) -> None:
        with self._all_lock:
            for connection in self._all:
                connection.close()
            self._all.clear()


class Deliverer:
    def __init__(self, app: ServiceApplication, *, on_outcome: Callable[[str], None] = lambda _: None) -> None:
        self.app = app
        settings = app.settings
        self.schedule = settings.webhook_schedule
        # A claim lasts one attempt's timeout and a margin: a lane sends from its claimed batch only
        # while one more attempt fits, and gives back the rest; a process killed mid-batch leaves its
        # claims due again within this lease.
        self.timeout = timedelta(seconds=settings.webhook_timeout_seconds)
        self.lease = self.timeout * 2 + timedelta(seconds=5)
        self.sender = Sender(allow_private=settings.webhook_allow_private, timeout=settings.webhook_timeout_seconds)
        self.pool = ThreadPoolExecutor(max_workers=settings.webhook_max_concurrent, thread_name_prefix="webhook")
        self.on_outcome = on_outcome
        self._busy: set[str] = set()  # webhooks with a lane at work (one lane per receiver)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"deliver-{app.service}", daemon=True)
        self.tables = app.kernel.webhooks

    def start(self) -> None:
        self._thread.start()

    @contextlib.contextmanager
    def _bookkeeping(self) -> Iterator[Session]:
        """A write transaction for delivery state. On PostgreSQL it takes row locks only, never the
        service's append lock, so delivering never holds up a write of the service; SQLite has one
        writer at a time anyway, so there it is the usual write transaction."""
        if self.app.store.is_postgres:
            with self.app.sessions.begin() as session:
                yield session
        else:
            with self.app.transaction() as session:
                yield session

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.sender.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.queue_new()
                self.dispatch_due()
            except Exception as error:  # the store went away: log, wait, try again; nothing is lost
                # The type only: a store error's text carries SQL parameters.
                log.warning("webhook deliverer round failed: %s", type(error).__name__)
            self._stopping.wait(ROUND_GAP_SECONDS)  # wake-ups meanwhile are kept for the next round
            self._wake.wait(IDLE_SECONDS)

    # --- queuing ---------------------------------------------------------------------------

    def queue_new(self) -> int:
        """Queue every event after each active webhook's ``queued_to`` that it asked for."""
        w, state = self.tables.webhooks, self.tables.state
        with self.app.reading() as session:
            rows = session.execute(
                select(w.c.id, w.c.types, w.c.departments, state.c.queued_to)
                .join(state, state.c.webhook_id == w.c.id)
                .where(w.c.status == "active", state.c.queued_to < self.app.head_position())
            ).all()
        queued = 0
        for row in rows:
            queued += self._queue(row.id, list(row.types) or None, set(row.departments), int(row.queued_to))
        return queued

    def _queue(self, webhook_id: str, types: list[str] | None, departments: set[str], after: int) -> int:
        items, scanned_to = self.app.scan_feed(after=after, limit=QUEUE_BATCH, types=types)
        wanted = [
            item
            for item in items
            if not registry.is_webhook_type(self.app.service, item.type)
            and (not departments or _department(item.data) in departments)
        ]
        now = self.app.clock()
        d, state = self.tables.deliveries, self.tables.state
        with self._bookkeeping() as session:
            moved: Any = session.execute(
                update(state)
                .where(state.c.webhook_id == webhook_id, state.c.queued_to == after)
                .values(queued_to=scanned_to)
            )
            if moved.rowcount != 1:
                return 0  # another replica queued them first
            if wanted:
                session.execute(
                    insert(d),
                    [
                        {
                            "webhook_id": webhook_id,
                            "event_position": item.position,
                            "event_id": item.event_id,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now + timedelta(seconds=self.schedule[0]),
                            "created_at": now,
                        }
                        for item in wanted
                    ],
                )
        if wanted:
            self._wake.set()
        return len(wanted)

    # --- sending ---------------------------------------------------------------------------

    def dispatch_due(self) -> None:
        d, w = self.tables.deliveries, self.tables.webhooks
        now = self.app.clock()
        with self.app.reading() as session:
            due = session.execute(
                select(d.c.webhook_id)
                .join(w, w.c.id == d.c.webhook_id)
                .where(d.c.status == "pending", d.c.next_attempt_at <= now, w.c.status == "active")
                .group_by(d.c.webhook_id)
                .limit(DUE_BATCH)
            ).all()
        for (webhook_id,) in due:
            with self._lock:
                if webhook_id in self._busy:
                    continue
                self._busy.add(webhook_id)
            self.pool.submit(self._lane, webhook_id)

    def _lane(self, webhook_id: str) -> None:
        """Send this webhook's due deliveries in position order; another receiver never waits on it."""
        try:
            while not self._stopping.is_set() and self._attempt_batch(webhook_id):
                pass
        except Exception as error:
            log.warning("webhook lane failed: %s", type(error).__name__)
        finally:
            with self._lock:
                self._busy.discard(webhook_id)
            self._wake.set()

    def _attempt_batch(self, webhook_id: str) -> bool:
        """Claim up to LANE_BATCH due deliveries (one transaction), send them one after another
        on a kept-alive connection, record every outcome (one transaction). False: none was due."""
        d, w, state = self.tables.deliveries, self.tables.webhooks, self.tables.state
        now = self.app.clock()
        with self._bookkeeping() as session:
            rows = session.execute(
                select(d.c.id, d.c.event_position, d.c.event_id, d.c.attempts, w.c.url, state.c.secret)
                .join(w, w.c.id == d.c.webhook_id)
                .join(state, state.c.webhook_id == d.c.webhook_id)
                .where(
                    d.c.webhook_id == webhook_id,
                    d.c.status == "pending",
                    d.c.next_attempt_at <= now,
                    w.c.status == "active",
                )
                .order_by(d.c.event_position)
                .limit(LANE_BATCH)
            ).all()
            if not rows:
                return False
            session.execute(update(d).where(d.c.id.in_([r.id for r in rows])).values(next_attempt_at=now + self.lease))
        first, last = rows[0].event_position, rows[-1].event_position
        items = {i.position: i for i in self.app.read_feed(after=first - 1, limit=last - first + 1)}
        outcomes = []
        for row in rows:
            if self._stopping.is_set() or self.app.clock() + self.timeout >= now + self.lease:
                break  # the claim would expire during the next attempt: the rest is given back below
            body = cloud_event(self.app.service, _platform_view(self.app, items[row.event_position]))
            headers = signed_headers(
                secret=row.secret, msg_id=row.event_id, body=body, at=self.app.clock(), log_key=self.app.log_key
            )
            outcome = self.sender.send(row.url, body, headers, self.app.clock())
            outcomes.append((row.id, row.attempts + 1, outcome))
            if outcome.gone:
                break
        sent = {delivery_id for delivery_id, _, _ in outcomes}
        self._record(webhook_id, outcomes, unsent=[r.id for r in rows if r.id not in sent])
        return True

    def _record(self, webhook_id: str, outcomes: list[tuple[int, int, Outcome]], unsent: list[int]) -> None:
        d, a = self.tables.deliveries, self.tables.attempts
        now = self.app.clock()
        kinds, changes, attempts = [], [], []
        for delivery_id, attempt, outcome in outcomes:
            if outcome.delivered:
                status, next_at, kind = "delivered", None, "delivered"
            elif outcome.gone:
                status, next_at, kind = "failed", None, "disabled"
            elif attempt < len(self.schedule):
                delay = max(self.schedule[attempt], outcome.retry_after or 0.0)
                status, next_at, kind = "pending", now + timedelta(seconds=delay), "retry"
            else:
                status, next_at, kind = "failed", None, "failed"
            kinds.append(kind)
            changes.append({"delivery": delivery_id, "new_status": status, "attempt": attempt, "next_at": next_at})
            attempts.append(
                {
                    "delivery_id": delivery_id,
                    "attempt": attempt,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "at": now,
                    "next_attempt_at": next_at,
                }
            )
        with self._bookkeeping() as session:
            if unsent:
                session.execute(update(d).where(d.c.id.in_(unsent)).values(next_attempt_at=now))
            if changes:  # one statement each, executed for every row
                session.execute(
                    update(d)
                    .where(d.c.id == bindparam("delivery"))
                    .values(
                        status=bindparam("new_status"),
                        attempts=bindparam("attempt"),
                        next_attempt_at=bindparam("next_at"),
                    ),
                    changes,
                )
                session.execute(insert(a), attempts)
        if "disabled" in kinds:
            registry.disable(self.app, webhook_id, "the receiver answered 410 Gone")
        for kind in kinds:
            self.on_outcome(kind)

    # --- what /metrics shows -----------------------------------------------------------------

    def backlog(self) -> list[tuple[str, int, float]]:
        """Per active webhook: pending deliveries and the age in seconds of the oldest."""
        d, w = self.tables.deliveries, self.tables.webhooks
        now = self.app.clock()
        with self.app.reading() as session:
            rows = session.execute(
                select(d.c.webhook_id, func.count(), func.min(d.c.created_at))
                .join(w, and_(w.c.id == d.c.webhook_id, w.c.status == "active"))
                .where(d.c.status == "pending")
                .group_by(d.c.webhook_id)
            ).all()
        return [(str(r[0]), int(r[1]), _age(now, r[2])) for r in rows]


def _age(now: datetime, oldest: Any) -> float:
    if oldest is None:
        return 0.0
    if isinstance(oldest, str):  # SQLite aggregates bypass the column type
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return float(max(0.0, (now - oldest).total_seconds()))


def _department(data: dict[str, Any]) -> str | None:
    value = data.get("department") or data.get("lead_department") or data.get("handler_department")
    return value if isinstance(value, str) else None


def _platform_view(app: ServiceApplication, item: Any) -> dict[str, Any]:
    from shared.feed import present_item

    return present_item(app, item, full_view=False)
