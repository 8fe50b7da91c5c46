"""Worlds without replay (services.assessment.worlds) answer exactly what a replay from scratch
answers: live, from snapshots plus the facts since, and from snapshots laid out afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from services.assessment.projection import record_fact
from services.assessment.read_models import fact, world_snapshot
from services.assessment.scores import breakdowns, league, worlds_for
from services.assessment.world import HANDLED_BY_UPSTREAM, World
from services.assessment.worlds import SNAPSHOT_FORMAT, Worlds
from shared.calendar import WorkingCalendar
from shared.settings import Settings
from tests.assessment.test_properties import CALENDAR, DEPARTMENTS, START, _item, histories
from tests.assessment.world_builder import AS_OF, build_year, city
from tests.support import make_settings, open_application


def _small_history() -> list[dict[str, Any]]:
    """Two records of FIN (one published), an incident led by EDU with a response."""
    at = [START + timedelta(days=n) for n in range(5)]
    record = {"department": "FIN", "disclosure": "proactive", "needs_interpretation": False, "item_code": None}
    return [
        _item(1, "catalogue.RecordDrafted", "r1", at[0], {**record, "formed_on": at[0].date().isoformat()}),
        _item(2, "catalogue.RecordDrafted", "r2", at[1], {**record, "formed_on": at[1].date().isoformat()}),
        _item(
            3,
            "opinion.IncidentReported",
            "i1",
            at[2],
            {"lead_department": "EDU", "detected_at": at[2].isoformat(), "severity": "major", "emergency": True},
        ),
        _item(4, "catalogue.RecordPublished", "r1", at[3], {"published_at": at[3].isoformat()}),
        _item(5, "opinion.IncidentResponseRecorded", "i1", at[4], {"kind": "statement", "at": at[4].isoformat()}),
    ]


def _upstream(item: dict[str, Any]) -> str:
    return str(item["type"]).split(".", 1)[0]


def _apply(app: Any, items: list[dict[str, Any]], positions: dict[str, int]) -> None:
    """Each item to the upstream its type names, at that upstream's next position."""
    with app.transaction() as session:
        for item in items:
            upstream = _upstream(item)
            positions[upstream] = positions.get(upstream, 0) + 1
            record_fact(upstream)(app, session, {**item, "position": positions[upstream]})


def _reset(app: Any) -> None:
    with app.transaction() as session:
        session.execute(delete(fact))
        session.execute(delete(world_snapshot))


def _league(app: Any, settings: Settings, as_of: datetime, worlds: Worlds | None) -> list[dict[str, Any]]:
    with app.reading() as session:
        table = league(
            session,
            settings=settings,
            calendar=CALENDAR,
            departments=DEPARTMENTS,
            year=2026,
            as_of=as_of,
            worlds=worlds,
        )
    return list(table["items"])


def _snapshots(app: Any) -> int:
    with app.reading() as session:
        return int(session.execute(select(func.count()).select_from(world_snapshot)).scalar_one())


def test_live_and_snapshot_worlds_equal_a_replay_at_every_instant(settings: Settings) -> None:
    with open_application("assessment", settings) as app:

        @hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(history=histories(), every=st.integers(1, 4), data=st.data())
        def check(history: list[dict[str, Any]], every: int, data: st.DataObject) -> None:
            _reset(app)
            followed = worlds_for(settings, CALENDAR, snapshot_every=every)  # snapshots as the facts arrive
            positions: dict[str, int] = {}
            done = 0
            while done < len(history):
                size = data.draw(st.integers(1, len(history) - done))
                _apply(app, history[done : done + size], positions)
                done += size
                followed.snapshot_if_due(app.reading, app.transaction)
                # asked while the facts arrive: the live tallies count only what changed
                newest = datetime.fromisoformat(history[done - 1]["occurred_at"])
                as_of = newest + timedelta(hours=data.draw(st.integers(0, 800)))
                assert _league(app, settings, as_of, followed) == _league(app, settings, as_of, None), as_of
            instants = [datetime.fromisoformat(i["occurred_at"]) for i in history]
            instants += [instants[0] - timedelta(hours=1), instants[-1] + timedelta(days=400)]
            instants += [i + timedelta(minutes=30) for i in instants[:-2]]
            later = worlds_for(settings, CALENDAR, snapshot_every=every)  # snapshots laid out over a history it finds
            later.snapshot_if_due(app.reading, app.transaction)
            for as_of in instants:
                expected = _league(app, settings, as_of, None)
                assert _league(app, settings, as_of, followed) == expected, as_of
                assert (
                    _league(app, settings, as_of, worlds_for(settings, CALENDAR, snapshot_every=every)) == expected
                ), as_of
                assert _league(app, settings, as_of, Worlds(snapshot_every=every)) == expected, as_of
                assert _league(app, settings, as_of, later) == expected, as_of
            if len(history) >= 2 * every:
                assert _snapshots(app) >= 1

        check()


def test_a_city_year_judged_from_snapshots_and_tallies_equals_a_replay(settings: Settings) -> None:
    with city(settings) as c:
        build_year(c)
        c.follow()
        app = c.assessment.app.state.application  # type: ignore[attr-defined]
        departments = ["FIN", "EDU", "HEALTH", "HOUSING"]
        with app.reading() as session:
            moments = sorted(session.execute(select(fact.c.recorded_at).distinct()).scalars())
        worlds = Worlds(snapshot_every=5)
        worlds.snapshot_if_due(app.reading, app.transaction)
        assert _snapshots(app) >= 2
        as_of_instants = [*moments, *(m + timedelta(seconds=1) for m in moments), datetime.fromisoformat(AS_OF)]
        for as_of in as_of_instants:
            with app.reading() as session:
                kwargs: dict[str, Any] = {
                    "settings": settings,
                    "calendar": WorkingCalendar(settings.calendar_file),
                    "departments": departments,
                    "year": 2026,
                    "as_of": as_of,
                }
                assert breakdowns(session, worlds=worlds, **kwargs) == breakdowns(session, **kwargs), as_of
                assert league(session, worlds=worlds, **kwargs) == league(session, **kwargs), as_of


def test_facts_of_different_upstreams_change_different_parts_of_the_world(tmp_path: Path) -> None:
    settings = make_settings("sqlite", tmp_path)  # a property of the code, not of a store
    with city(settings) as c:
        build_year(c)
        c.follow()
        app = c.assessment.app.state.application  # type: ignore[attr-defined]
        with app.reading() as session:
            rows = session.execute(
                select(fact.c.upstream, fact.c.type, fact.c.stream_id, fact.c.data, fact.c.occurred_at).order_by(
                    fact.c.upstream, fact.c.position
                )
            ).all()
    parts = {"records", "items", "proposals", "interpretations", "incidents", "requests"}
    assert set().union(*HANDLED_BY_UPSTREAM.values()) == parts
    for upstream, handled in HANDLED_BY_UPSTREAM.items():
        alone = World.replay((r.type, r.stream_id, r.data, r.occurred_at) for r in rows if r.upstream == upstream)
        assert any(getattr(alone, part) for part in handled), upstream  # the city has facts of each
        assert not any(getattr(alone, part) for part in parts - handled), upstream
    forwards = World.replay((r.type, r.stream_id, r.data, r.occurred_at) for r in rows)
    backwards = World.replay(
        (r.type, r.stream_id, r.data, r.occurred_at)
        for upstream in sorted(HANDLED_BY_UPSTREAM, reverse=True)
        for r in rows
        if r.upstream == upstream
    )
    assert forwards == backwards


def test_removed_facts_and_snapshots_of_other_code_are_never_used(settings: Settings) -> None:
    with open_application("assessment", settings) as app:
        history = _small_history()
        _apply(app, history, {})
        end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
        worlds = Worlds(snapshot_every=1)
        with app.transaction() as session:  # a snapshot another version of the code wrote
            session.execute(
                insert(world_snapshot).values(
                    format="an-older-format",
                    facts=1,
                    recorded_through=datetime.fromisoformat(history[0]["occurred_at"]),
                    frontier={"positions": {}, "recorded": {}, "facts": 1},
                    state=b"not a world",
                )
            )
        assert worlds.snapshot_if_due(app.reading, app.transaction)
        with app.reading() as session:
            formats = set(session.execute(select(world_snapshot.c.format)).scalars())
        assert formats == {SNAPSHOT_FORMAT}
        assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
        # the facts are removed and others arrive (a rebuild): the live world starts again
        _reset(app)
        _apply(app, history[:1], {})
        assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
        assert worlds.snapshot_if_due(app.reading, app.transaction)  # snapshots start again too
        assert _snapshots(app) == 1
