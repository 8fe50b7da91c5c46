"""A follower applies each upstream event exactly once, even when it dies mid-batch."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services.assessment.projection import record_fact
from services.assessment.read_models import fact
from shared.application import ServiceApplication
from shared.follower import ChainBroken, Follower, FollowSpec
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import open_application, service_client


class Crash(Exception):
    """Stands for the process dying: nothing after it runs, the transaction never commits."""


def _facts(app: ServiceApplication) -> list[int]:
    with app.reading() as session:
        return list(session.execute(select(fact.c.position).order_by(fact.c.position)).scalars())


@contextmanager
def _published(settings: Settings, records: int) -> Iterator[tuple[Any, ServiceApplication]]:
    """A catalogue with ``records`` records drafted and published (two events each), served to
    an assessment that reads its feed in pages of 10."""
    settings = settings.model_copy(update={"follower_batch_size": 10})
    with service_client("catalogue", settings) as upstream, open_application("assessment", settings) as app:
        for n in range(records):
            publish(upstream, settings, draft(upstream, settings, title=f"通知{n}"))
        yield upstream, app


def test_a_follower_dying_mid_batch_resumes_with_nothing_lost_or_doubled(settings: Settings) -> None:
    with _published(settings, 15) as (upstream, app):  # 30 events
        applied: list[int] = []

        def dying_at_25(target: ServiceApplication, session: Session, item: dict[str, Any]) -> None:
            if item["position"] == 25:
                raise Crash
            record_fact("catalogue")(target, session, item)
            applied.append(item["position"])

        first = Follower(app, FollowSpec("catalogue", dying_at_25), base_url="http://testserver", client=upstream)
        with pytest.raises(Crash):
            first.catch_up()
        assert first.position() == 20  # two whole batches committed, the third rolled back
        assert _facts(app) == list(range(1, 21))
        assert applied[-4:] == [21, 22, 23, 24]  # handled, but never committed

        restarted = Follower(
            app, FollowSpec("catalogue", record_fact("catalogue")), base_url="http://testserver", client=upstream
        )
        assert restarted.catch_up() == 10
        assert _facts(app) == list(range(1, 31))
        assert restarted.catch_up() == 0  # nothing new: nothing applied twice
        status = restarted.status()
        assert status["position"] == 30
        assert status["upstream_head"] == 30
        assert status["lag_events"] == 0


def test_two_followers_of_one_feed_never_apply_a_batch_twice(settings: Settings) -> None:
    with service_client("catalogue", settings) as upstream, open_application("assessment", settings) as app:
        for n in range(3):
            draft(upstream, settings, title=f"通知{n}")
        spec = FollowSpec("catalogue", record_fact("catalogue"))
        one = Follower(app, spec, base_url="http://testserver", client=upstream)
        two = Follower(app, spec, base_url="http://testserver", client=upstream)
        # Both read position 0; the second to apply finds the position moved and skips.
        one._apply(0, upstream.get("/catalogue/v1/events", headers=one_headers(one)).json()["items"], 3)
        two._apply(0, upstream.get("/catalogue/v1/events", headers=one_headers(two)).json()["items"], 3)
        with app.reading() as session:
            assert session.execute(select(func.count()).select_from(fact)).scalar_one() == 3


def one_headers(follower: Follower) -> dict[str, str]:
    return follower.credentials.header()


def test_a_feed_that_is_down_delays_and_reports(settings: Settings) -> None:
    settings = settings.model_copy(update={"follower_retry_seconds": 0.05, "follower_wait_seconds": 0})
    with open_application("assessment", settings) as app:
        follower = Follower(
            app,
            FollowSpec("catalogue", record_fact("catalogue")),
            base_url="http://127.0.0.1:9",
            client=httpx.Client(timeout=1),
        )
        with pytest.raises(httpx.HTTPError):
            follower.poll_once()
        follower.start()
        deadline = time.monotonic() + 10
        while follower.status()["last_error"] is None and time.monotonic() < deadline:
            time.sleep(0.05)
        status = follower.status()
        follower.stop()
        assert status["last_error"] is not None
        assert "ConnectError" in status["last_error"]
        assert follower.position() == 0
        assert _facts(app) == []


def test_a_follower_stops_at_a_broken_upstream_link_and_applies_nothing_of_it(settings: Settings) -> None:
    with service_client("catalogue", settings) as upstream, service_client("assessment", settings) as assessment:
        for n in range(3):
            publish(upstream, settings, draft(upstream, settings, title=f"通知{n}"))  # 6 events
        app = assessment.app.state.application  # type: ignore[attr-defined]
        followers = assessment.app.state.followers  # type: ignore[attr-defined]
        follower = next(f for f in followers if f.spec.upstream == "catalogue")
        follower.base_url, follower.client = "http://testserver", upstream
        assert follower.catch_up() == 6
        for n in range(2):
            draft(upstream, settings, title=f"新通知{n}")  # positions 7, 8
        source = upstream.app.state.application  # type: ignore[attr-defined]
        with source.store.engine.begin() as connection:  # the upstream database is altered behind its back
            state = connection.execute(text("SELECT state FROM catalogue_events WHERE id = 8")).scalar_one()
            forged = bytes(state).replace("新通知1".encode(), "伪造通知".encode())
            connection.execute(text("UPDATE catalogue_events SET state = :s WHERE id = 8"), {"s": forged})
        with pytest.raises(ChainBroken) as broken:
            follower.catch_up()
        assert broken.value.position == 8
        assert _facts(app) == list(range(1, 7))  # not even position 7 of the broken batch
        [status] = [s for s in assessment.get("/assessment/v1/sources").json()["items"] if s["upstream"] == "catalogue"]
        assert status["chain_break"] == {"position": 8, "reason": "hash does not match the event's content (altered)"}
        assert assessment.get("/readyz").status_code == 503
        metrics = assessment.get("/metrics").text
        assert 'openness_follower_chain_breaks_total{service="assessment",upstream="catalogue"} 1.0' in metrics
        with pytest.raises(ChainBroken):
            follower.poll_once()  # stopped for good: an operator looks first


def test_a_filtered_follower_moves_past_what_does_not_match(settings: Settings) -> None:
    with service_client("catalogue", settings) as upstream, open_application("assessment", settings) as app:
        for n in range(3):
            draft(upstream, settings, title=f"草稿{n}")
        seen: list[int] = []
        spec = FollowSpec(
            "catalogue", lambda _a, _s, item: seen.append(item["position"]), types=("catalogue.RecordPublished",)
        )
        follower = Follower(app, spec, base_url="http://testserver", client=upstream)
        assert follower.catch_up() == 0
        assert follower.position() == 3  # scanned, so never scanned again
        record = draft(upstream, settings, title="发布")
        publish(upstream, settings, record)
        assert follower.catch_up() == 1
        assert (seen, follower.position()) == ([5], 5)


def _requested_afters(upstream: httpx.Client) -> list[int]:
    """The ``after`` of every feed page ``upstream`` is asked for, in the order asked."""
    asked: list[int] = []

    def hook(request: httpx.Request) -> None:
        if request.url.path.endswith("/events"):
            asked.append(int(request.url.params["after"]))

    upstream.event_hooks["request"].append(hook)
    return asked


def test_while_catching_up_the_next_page_is_asked_for_while_one_is_applied(settings: Settings) -> None:
    with _published(settings, 15) as (upstream, app):  # 30 events
        asked = _requested_afters(upstream)
        asked_while_applying_first: list[int] = []

        def waiting_for_the_next_page(target: ServiceApplication, session: Session, item: dict[str, Any]) -> None:
            if item["position"] == 1:
                deadline = time.monotonic() + 10
                while 10 not in asked and time.monotonic() < deadline:
                    time.sleep(0.01)
                asked_while_applying_first.extend(asked)
            record_fact("catalogue")(target, session, item)

        follower = Follower(
            app, FollowSpec("catalogue", waiting_for_the_next_page), base_url="http://testserver", client=upstream
        )
        assert follower.catch_up() == 30
        assert asked_while_applying_first == [0, 10]
        assert asked == [0, 10, 20, 30]  # each page asked for once; the last said there is no more
        assert _facts(app) == list(range(1, 31))


def test_a_page_read_ahead_is_used_only_by_a_follower_still_standing_where_it_starts(settings: Settings) -> None:
    with _published(settings, 15) as (upstream, app):  # 30 events
        spec = FollowSpec("catalogue", record_fact("catalogue"))
        one = Follower(app, spec, base_url="http://testserver", client=upstream)
        assert one.poll_once() == 10  # and reads the page after 10 ahead
        other = Follower(app, spec, base_url="http://testserver", client=upstream)
        assert other.catch_up() == 20  # another process applies the rest meanwhile
        assert one.poll_once() == 0  # the page after 10 is not where it stands now
        assert _facts(app) == list(range(1, 31))


def test_a_page_that_failed_to_be_read_ahead_fails_that_poll_and_is_asked_for_again(settings: Settings) -> None:
    with _published(settings, 10) as (upstream, app):  # 20 events
        failed: list[int] = []

        def fail_once_after_10(request: httpx.Request) -> None:
            if request.url.path.endswith("/events") and request.url.params["after"] == "10" and not failed:
                failed.append(10)
                raise httpx.ConnectError("the upstream went away", request=request)

        upstream.event_hooks["request"].append(fail_once_after_10)
        follower = Follower(
            app, FollowSpec("catalogue", record_fact("catalogue")), base_url="http://testserver", client=upstream
        )
        assert follower.poll_once() == 10
        with pytest.raises(httpx.ConnectError):
            follower.poll_once()
        assert follower.position() == 10
        assert follower.catch_up() == 10
        assert _facts(app) == list(range(1, 21))
