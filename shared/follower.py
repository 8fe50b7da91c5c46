"""Following another service's event feed over HTTP, exactly once, and verified.

Each batch is applied in one transaction of the follower's own store together with the new
position, so a crash anywhere (mid-batch included) leaves either the whole batch and its
position, or neither; after a restart the follower asks again from the stored position.

Before anything is applied, every item's chain link is recomputed (``shared.chain``) and, where
the feed is read without a type filter, linked to the last item applied. A break stops that
source for good: nothing of it is applied, ``/readyz`` is not ready and the follower's status
names the position and the reason, until an operator has looked.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.application import ServiceApplication
from shared.auth import ServiceCredentials
from shared.chain import GENESIS_HASH
from shared.jsondata import loads
from shared.timeutil import format_recorded_at

log = logging.getLogger("openness.follower")

ItemHandler = Callable[[ServiceApplication, Session, dict[str, Any]], None]
BatchHandler = Callable[[ServiceApplication, Session, list[dict[str, Any]]], None]


class ChainBroken(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"upstream chain broken at position {position}: {reason}")
        self.position, self.reason = position, reason


@dataclass(frozen=True)
class FollowSpec:
    """``handle`` applies one item; ``handle_batch``, when given, applies a whole page at once
    (fewer statements: one insert of many rows) and is used instead."""

    upstream: str
    handle: ItemHandler
    types: tuple[str, ...] | None = None
    handle_batch: BatchHandler | None = None

    def apply(self, application: ServiceApplication, session: Session, items: list[dict[str, Any]]) -> None:
        if self.handle_batch is not None:
            if items:
                self.handle_batch(application, session, items)
            return
        for item in items:
            self.handle(application, session, item)


class Follower:
    def __init__(
        self,
        application: ServiceApplication,
        spec: FollowSpec,
        *,
        base_url: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.application = application
        self.spec = spec
        settings = application.settings
        self.base_url = (base_url or settings.url_of(spec.upstream)).rstrip("/")
        self.client = client or httpx.Client(timeout=settings.follower_wait_seconds + 10)
        # An auditor's view: redacted items could not be checked against their links. What the
        # handlers keep of personal data is their business (the assessment keeps none).
        self.credentials = ServiceCredentials(settings, sub=f"service:{application.service}", roles=["auditor"])
        self.chain_break: ChainBroken | None = None
        self.on_break: Callable[[ChainBroken], None] | None = None
        self.on_lag: Callable[[int], None] | None = None  # events behind the upstream head, after each poll
        self.upstream_head: int | None = None
        self.last_error: str | None = None
        self._caught_up_at = time.monotonic()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        # While catching up, the next page is asked for while this one is applied (the upstream
        # presents it in its own process meanwhile): (its ``after``, the page).
        self._ahead: tuple[int, Future[dict[str, Any]]] | None = None
        self._reader: ThreadPoolExecutor | None = None

    # --- state ----------------------------------------------------------------------------

    def position(self) -> int:
        table = self.application.kernel.follow_positions
        with self.application.reading() as session:
            value = session.execute(select(table.c.position).where(table.c.upstream == self.spec.upstream)).scalar()
        return int(value or 0)

    def status(self, *, detailed: bool = True) -> dict[str, Any]:
        """Where this follower stands; ``detailed`` adds the upstream's address and the last error
        (for the office and auditors: they name internal hosts)."""
        position = self.position()
        lag = None if self.upstream_head is None else max(0, self.upstream_head - position)
        return {
            "upstream": self.spec.upstream,
            "url": self.base_url if detailed else None,
            "position": position,
            "upstream_head": self.upstream_head,
            "lag_events": lag,
            "lag_seconds": None
            if lag is None
            else 0.0
            if lag == 0
            else round(time.monotonic() - self._caught_up_at, 3),
            "last_error": self.last_error if detailed else None,
            "failing": self.last_error is not None,
            "chain_break": None
            if self.chain_break is None
            else {"position": self.chain_break.position, "reason": self.chain_break.reason},
        }

    # --- work -----------------------------------------------------------------------------

    def poll_once(self, wait: float = 0.0) -> int:
        """Fetch one batch after the stored position and apply it; return how many were applied."""
        if self.chain_break is not None:
            raise self.chain_break
        after = self.position()
        page = self._page_after(after, wait)
        self.upstream_head = int(page.get("head_position", page["next_after"]))
        items: list[dict[str, Any]] = page["items"]
        next_after = int(page["next_after"])
        if page["has_more"]:
            self._read_ahead(next_after)
        if items or next_after > after:
            try:
                self._apply(after, items, next_after)
            except ChainBroken as error:
                self._broken(error)
                raise
        self.application.followed(self.spec.upstream, applied=len(items), behind=bool(page["has_more"]))
        if not page["has_more"]:
            self._caught_up_at = time.monotonic()
        self.last_error = None
        if self.on_lag is not None:
            self.on_lag(max(0, self.upstream_head - next_after))
        return len(items)

    def _fetch(self, after: int, wait: float) -> dict[str, Any]:
        params: dict[str, Any] = {"after": after, "limit": self.application.settings.follower_batch_size, "wait": wait}
        if self.spec.types:
            params["types"] = ",".join(self.spec.types)
        response = self.client.get(
            f"{self.base_url}/{self.spec.upstream}/v1/events",
            params=params,
            headers=self.credentials.header(),
        )
        response.raise_for_status()
        page: dict[str, Any] = loads(response.content)
        return page

    def _page_after(self, after: int, wait: float) -> dict[str, Any]:
        """The page after ``after``: the one read ahead if it starts there (positions and their
        events never change, so it is the page still; a failure to read it is raised here, as
        reading it now would), else read now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            if ahead[0] == after:
                return ahead[1].result()
            ahead[1].cancel()
        return self._fetch(after, wait)

    def _read_ahead(self, after: int) -> None:
        if self._reader is None:
            self._reader = ThreadPoolExecutor(1, thread_name_prefix=f"read-ahead-{self.spec.upstream}")
        self._ahead = (after, self._reader.submit(self._fetch, after, 0.0))

    def _apply(self, after: int, items: list[dict[str, Any]], next_after: int) -> None:
        table = self.application.kernel.follow_positions
        with self.application.transaction() as session:
            row = session.execute(
                select(table.c.position, table.c.hash).where(table.c.upstream == self.spec.upstream).with_for_update()
            ).first()
            stored = None if row is None else int(row.position)
            if int(stored or 0) != after:
                return  # another follower process applied this batch meanwhile
            self._verify(after, None if row is None else row.hash, items)
            self.spec.apply(self.application, session, items)
            last = items[-1] if items else None
            values = {
                "position": next_after,
                "upstream_head": self.upstream_head,
                "updated_at": format_recorded_at(self.application.clock()),
                # the hash the next event must link to, known only when the cursor is an applied event
                "hash": last["hash"] if last is not None and int(last["position"]) == next_after else None,
            }
            if stored is None:
                session.execute(table.insert().values(upstream=self.spec.upstream, **values))
            else:
                session.execute(table.update().where(table.c.upstream == self.spec.upstream).values(**values))

    def _verify(self, after: int, last_hash: str | None, items: list[dict[str, Any]]) -> None:
        """Every item's link recomputes; consecutive items (and the first after the last one
        applied) link to each other. Raises ``ChainBroken`` at the first that does not."""
        hasher = self.application.hasher
        previous_position, previous_hash = after, (GENESIS_HASH if after == 0 else last_hash)
        for item in items:
            position = int(item["position"])
            if item.get("undecodable"):
                raise ChainBroken(position, "the upstream event's stored bytes no longer decode")
            if item.get("redacted"):
                raise ChainBroken(position, "the item is redacted, so its link cannot be checked")
            if previous_hash is not None and position == previous_position + 1 and item["prev_hash"] != previous_hash:
                raise ChainBroken(position, "prev_hash does not match the previous event (deleted or reordered)")
            try:
                linked = hasher.matches(item, int(item.get("chain_format", 1)))
            except (KeyError, ValueError, TypeError) as error:
                raise ChainBroken(position, f"the item cannot be read: {error}") from None
            if not linked:
                raise ChainBroken(position, "hash does not match the event's content (altered)")
            previous_position, previous_hash = position, item["hash"]

    def _broken(self, error: ChainBroken) -> None:
        self.chain_break = error
        self.last_error = str(error)
        log.error("stopped following %s: %s", self.spec.upstream, error)
        if self.on_break is not None:
            self.on_break(error)

    def catch_up(self, max_batches: int = 1_000_000) -> int:
        applied = 0
        for _ in range(max_batches):
            count = self.poll_once()
            applied += count
            if count == 0:
                break
        return applied

    def run(self) -> None:
        wait = self.application.settings.follower_wait_seconds
        retry = self.application.settings.follower_retry_seconds
        while not self._stop.is_set():
            try:
                self.poll_once(wait=wait)
            except ChainBroken:
                return  # a broken upstream chain is never applied, and not retried blindly
            except Exception as error:  # the feed being down delays, never corrupts
                if self._stop.is_set():
                    return  # closing the client to stop is not an upstream failure
                self.last_error = f"{type(error).__name__}: {error}"[:300]
                log.warning("following %s failed: %s", self.spec.upstream, self.last_error)
                self._stop.wait(retry)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"follow-{self.spec.upstream}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.shutdown(wait=False, cancel_futures=True)
        self.client.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
