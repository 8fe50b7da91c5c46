"""The event feed and the audit routes every service serves under ``/{service}/v1``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import fields
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from shared.application import FeedItem, ServiceApplication
from shared.auth import Principal, require
from shared.errors import TooManyRequests, ValidationFailed
from shared.jsondata import dumps

MAX_FEED_LIMIT = 1000
Scan = tuple[list[FeedItem], int, int]  # the matching items, the position scanned up to, the head
_INLINE_PAGE_ITEMS = 100  # a page this small is rendered on the event loop, a larger one in a worker thread
_TYPE_NAME_LIMIT = 100


class FeedItemOut(BaseModel):
    """What a feed item is, for the OpenAPI document: ``present_item`` makes it."""

    model_config = ConfigDict(json_schema_extra={"description": "一条事件（位置、流、类型、数据与哈希链）"})

    position: int
    event_id: str
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    data: dict[str, Any]
    hash: str
    prev_hash: str
    chain_format: int
    redacted: bool = False
    undecodable: bool = False


class FeedPage(BaseModel):
    """What a feed page is, for the OpenAPI document: the route writes the JSON itself."""

    items: list[FeedItemOut]
    next_after: int
    has_more: bool
    head_position: int


def _application(request: Request) -> ServiceApplication:
    application: ServiceApplication = request.app.state.application
    return application


Application = Annotated[ServiceApplication, Depends(_application)]
Auditor = Annotated[Principal, Depends(require("office", "auditor"))]


def _parse_types(types: str | None) -> list[str] | None:
    if types is None:
        return None
    names = [t.strip() for t in types.split(",") if t.strip()]
    if not names or any(len(n) > _TYPE_NAME_LIMIT or not n.isascii() for n in names):
        raise ValidationFailed("types must be a comma-separated list of event type names", code="invalid_types")
    return names


def feed_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/{service}/v1", tags=["feed and audit 事件流与审计"])

    @router.get(
        "/events",
        response_model=FeedPage,
        summary="事件流：按位置顺序读取本服务的全部事件（审计员、省级平台）",
    )
    async def read_events(
        request: Request,
        application: Application,
        principal: Annotated[Principal, Depends(require("auditor", "platform"))],
        after: Annotated[int, Query(ge=0, le=2**62, description="只返回位置大于此值的事件")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)] = 100,
        types: Annotated[str | None, Query(max_length=2000, description="逗号分隔的事件类型")] = None,
        wait: Annotated[float, Query(ge=0, le=30, description="长轮询：最多等待秒数")] = 0,
    ) -> Response:
        """A long poll waits on the event loop, holding no worker thread: only each read of the
        store borrows one, so hundreds of waiting readers leave writes and health checks alone.

        The page is written as JSON here, not validated again as a ``FeedPage`` model: a
        thousand items' models cost a follower's upstream more than reading them."""
        type_names = _parse_types(types)
        deadline = time.monotonic() + min(wait, application.settings.feed_max_wait_seconds)
        waiter: FeedWaiter = request.app.state.feed_waiter
        woken = waiter.armed()
        items, scanned_to, head = await waiter.scan(application, after, limit + 1, type_names)
        if not items and deadline > time.monotonic() and not waiter.closing:
            with waiter.admitted(principal.sub):
                while not items and not waiter.closing and (remaining := deadline - time.monotonic()) > 0:
                    await FeedWaiter.wait(woken, remaining)
                    woken = waiter.armed()
                    # What did not match is not scanned again: a filtered poll moves on, and waits.
                    items, scanned_to, head = await waiter.scan(application, scanned_to, limit + 1, type_names)
        page = (application, items, limit, scanned_to, head, principal.has("auditor"))
        # Small pages (what a woken crowd of polls gets) cost no thread hop; big ones do not block the loop.
        body = _page(*page) if len(items) <= _INLINE_PAGE_ITEMS else await run_in_threadpool(_page, *page)
        return Response(body, media_type="application/json")

    return router


def _page(
    application: ServiceApplication, items: list[FeedItem], limit: int, scanned_to: int, head: int, full_view: bool
) -> bytes:
    """A ``FeedPage`` as JSON."""
    has_more = len(items) > limit
    items = items[:limit]
    return dumps(
        {
            "items": [present_item(application, item, full_view) for item in items],
            "next_after": items[-1].position if has_more else scanned_to,
            "has_more": has_more,
            "head_position": head,
        }
    )


def _scan(application: ServiceApplication, after: int, limit: int, types: list[str] | None) -> Scan:
    items, scanned_to = application.scan_feed(after=after, limit=limit, types=types)
    return items, scanned_to, application.head_position()


class FeedWaiter:
    """The one waiter of a process: its long polls sleep on the event loop until it wakes them.

    It wakes on a commit of this process (``notify``, from whichever thread committed), on a
    commit of another process (``notify`` again, from ``shared.wakeup`` on PostgreSQL) and,
    as a net under both, when ``watch`` sees the head position move (one cheap read per
    ``OPENNESS_FEED_RECHECK_SECONDS`` per process, whatever the number of polls: on SQLite it
    is how replicas see each other). It also bounds the polls one caller may keep waiting.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        max_polls_per_principal: int,
        on_waiting: Callable[[int], None] = lambda _: None,
    ) -> None:
        self._loop = loop
        self._event = asyncio.Event()
        self._max_polls = max_polls_per_principal
        self._polls: Counter[str] = Counter()
        self._on_waiting = on_waiting
        self.closing = False
        self._scans: dict[tuple[int, int, tuple[str, ...] | None], asyncio.Future[Scan]] = {}

    async def scan(self, application: ServiceApplication, after: int, limit: int, types: list[str] | None) -> Scan:
        """``scan_feed`` in a worker thread, shared by the polls that ask the same while it runs:
        when a commit wakes 500 polls waiting at the head, the store is read once, not 500 times.
        Only a read in flight is shared (nothing is kept after it), and a wake-up stops sharing
        reads begun before the commit."""
        key = (after, limit, tuple(types) if types is not None else None)
        shared = self._scans.get(key)
        if shared is None:
            shared = asyncio.ensure_future(run_in_threadpool(_scan, application, after, limit, types))
            self._scans[key] = shared
            shared.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(shared)

    def _forget(self, key: tuple[int, int, tuple[str, ...] | None], done: asyncio.Future[Scan]) -> None:
        if self._scans.get(key) is done:
            del self._scans[key]
        if not done.cancelled():
            done.exception()  # retrieved here, so a failure no poll awaited anymore is not logged as lost

    def armed(self) -> asyncio.Event:
        """The event the next commit sets: taken before reading, so a commit in between is not missed."""
        return self._event

    def notify(self) -> None:
        self._loop.call_soon_threadsafe(self._wake)

    def close(self) -> None:
        """The process is stopping: every waiting poll answers now, and none waits any more."""
        self.closing = True
        self.notify()

    def _wake(self) -> None:
        self._event.set()
        self._event = asyncio.Event()
        self._scans = {}

    @contextlib.contextmanager
    def admitted(self, principal: str) -> Iterator[None]:
        """A waiting poll of ``principal``; 429 when it already has its maximum waiting."""
        if self._polls[principal] >= self._max_polls:
            raise TooManyRequests(
                f"at most {self._max_polls} long polls may wait at once per caller; retry when one returns",
                code="too_many_polls",
                retry_after=1,
            )
        self._polls[principal] += 1
        self._on_waiting(self._polls.total())
        try:
            yield
        finally:
            self._polls[principal] -= 1
            if not self._polls[principal]:
                del self._polls[principal]
            self._on_waiting(self._polls.total())

    async def watch(self, head_position: Callable[[], int], interval: float) -> None:
        """Wake the polls whenever the head moved without anyone telling this process."""
        last: int | None = None
        while True:
            current: int | None
            try:
                current = await run_in_threadpool(head_position)
            except Exception:  # the store is away: /readyz says so; polls time out as usual
                current = last
            if last is not None and current != last:
                self._wake()
            last = current
            await asyncio.sleep(interval)

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):  # no extra task per wait (wait_for makes one)
                await event.wait()


_ITEM_FIELDS = tuple(f.name for f in fields(FeedItem) if f.name != "undecodable")


def present_item(application: ServiceApplication, item: FeedItem, full_view: bool) -> dict[str, Any]:
    """A ``FeedItemOut``: the item's fields as they are (``dataclasses.asdict`` deep-copied
    every event's data: most of the cost of presenting a page); nothing after changes them."""
    values = {name: getattr(item, name) for name in _ITEM_FIELDS}
    if item.undecodable and not full_view:
        values["data"], redacted = {}, True  # raw bytes may hold personal data
    else:
        values["data"] = item.data if full_view else application.redact(item.type, item.data)
        redacted = values["data"] is not item.data
    values["redacted"], values["undecodable"] = redacted, item.undecodable
    return values
