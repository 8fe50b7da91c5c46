"""Worlds without replay (services.assessment.worlds) answer exactly what a replay from scratch
answers: live, from snapshots plus the facts since, and from snapshots laid out afterwards."""

from __future__ import annotations

import gc
import gzip
import itertools
import pickle
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select
from sqlalchemy import event as sqlalchemy_event

from services.assessment import worlds as worlds_module
from services.assessment.counting import Counting
from services.assessment.projection import record_fact
from services.assessment.read_models import fact, tally_snapshot, world_snapshot
from services.assessment.scores import breakdowns, default_scheme, league, rules_of, worlds_for
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


def _fact(item: dict[str, Any]) -> tuple[str, str, dict[str, Any], datetime]:
    return item["type"], item["stream_id"], item["data"], datetime.fromisoformat(item["occurred_at"])


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
        session.execute(delete(tally_snapshot))


def _league(app: Any, settings: Settings, as_of: datetime, worlds: Worlds | None) -> list[dict[str, Any]]:
    """The league, and every department's counts (numerators and denominators, which the league
    does not show), as ``worlds`` answer them (None: replayed from scratch and judged)."""
    with app.reading() as session:
        kwargs: dict[str, Any] = {
            "settings": settings,
            "calendar": CALENDAR,
            "departments": DEPARTMENTS,
            "year": 2026,
            "as_of": as_of,
            "worlds": worlds,
        }
        return [*league(session, **kwargs)["items"], *breakdowns(session, explain=False, **kwargs)]


def _explained(app: Any, settings: Settings, as_of: datetime, worlds: Worlds | None) -> list[list[dict[str, Any]]]:
    """Each department's breakdown asked on its own, with every violation."""
    return [_explained_one(app, settings, as_of, worlds, department) for department in DEPARTMENTS]


def _explained_one(
    app: Any, settings: Settings, as_of: datetime, worlds: Worlds | None, department: str
) -> list[dict[str, Any]]:
    """``department``'s breakdown as ``worlds`` answer it (a past one from the department's own
    world; None: replayed from scratch and judged)."""
    with app.reading() as session:
        return breakdowns(
            session,
            settings=settings,
            calendar=CALENDAR,
            departments=[department],
            year=2026,
            as_of=as_of,
            worlds=worlds,
        )


def _snapshots(app: Any, table: Any = world_snapshot) -> int:
    with app.reading() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_live_and_snapshot_worlds_equal_a_replay_at_every_instant(settings: Settings) -> None:
    with open_application("assessment", settings) as app:

        @hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(history=histories(), every=st.integers(1, 4), tally_every=st.integers(1, 3), data=st.data())
        def check(history: list[dict[str, Any]], every: int, tally_every: int, data: st.DataObject) -> None:
            _reset(app)

            def worlds() -> Worlds:
                return worlds_for(settings, CALENDAR, snapshot_every=every, tally_every=tally_every)

            followed = worlds()  # snapshots as the facts arrive
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
                # explained: the live tally's misses of settled units, the open units counted again
                assert _explained(app, settings, as_of, followed) == _explained(app, settings, as_of, None), as_of
            instants = [datetime.fromisoformat(i["occurred_at"]) for i in history]
            instants += [instants[0] - timedelta(hours=1), instants[-1] + timedelta(days=400)]
            instants += [i + timedelta(minutes=30) for i in instants[:-2]]
            later = worlds()  # snapshots laid out over a history it finds
            later.snapshot_if_due(app.reading, app.transaction)
            for as_of in instants:
                expected = _league(app, settings, as_of, None)
                assert _league(app, settings, as_of, followed) == expected, as_of
                assert _league(app, settings, as_of, worlds()) == expected, as_of
                assert _league(app, settings, as_of, Worlds(snapshot_every=every)) == expected, as_of  # no tallies
                assert _league(app, settings, as_of, later) == expected, as_of
                assert _explained(app, settings, as_of, followed) == _explained(app, settings, as_of, None), as_of
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
        worlds = worlds_for(settings, WorkingCalendar(settings.calendar_file), snapshot_every=5, tally_every=3)
        worlds.snapshot_if_due(app.reading, app.transaction)  # lays out both kinds from the start
        assert _snapshots(app) >= 2
        assert _snapshots(app, tally_snapshot) >= 3
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
                counted = breakdowns(session, worlds=worlds, explain=False, **kwargs)
                assert counted == breakdowns(session, explain=False, **kwargs), as_of
                for department in departments:
                    alone = {**kwargs, "departments": [department]}
                    assert breakdowns(session, worlds=worlds, **alone) == breakdowns(session, **alone), as_of


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


def test_a_past_breakdown_of_one_department_replays_its_share_without_loading_a_world(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked about one department before the live world's newest fact, the breakdown is judged
    over that department's own entities: no world snapshot is loaded, and the other department's
    entities are not in the world it is judged over."""
    with open_application("assessment", settings) as app:
        history = _small_history()
        _apply(app, history, {})
        worlds = Worlds(snapshot_every=1)
        assert worlds.snapshot_if_due(app.reading, app.transaction)

        def no_world(_: bytes) -> World:
            raise AssertionError("a world snapshot was loaded")

        monkeypatch.setattr(worlds_module, "_load", no_world)
        as_of = datetime.fromisoformat(history[3]["occurred_at"])  # before the incident's response
        with app.reading() as session:
            with worlds.of_department(session, "FIN", as_of) as world:
                assert set(world.records) == {"r1", "r2"}
                assert world.records["r1"].published_at == as_of
                assert not world.incidents
            with worlds.of_department(session, "EDU", as_of) as world:
                assert set(world.incidents) == {"i1"}
                assert not world.incidents["i1"].clock.responses
                assert not world.records
        for department in ("FIN", "EDU"):
            alone = _explained_one(app, settings, as_of, worlds, department)
            assert alone == _explained_one(app, settings, as_of, None, department)


def _policy_history() -> list[dict[str, Any]]:
    """A policy of FIN and its principal's interpretation, recorded in the order a past league
    from a tally snapshot finds hard: the interpretation before the policy is published, then
    withdrawn once the policy's sync had settled as met; then a fact of another department."""
    at = [START + timedelta(days=n) for n in (0, 1, 2, 40, 80)]
    record = {"department": "FIN", "disclosure": "proactive", "needs_interpretation": True, "item_code": None}
    interpreter = {"department": "FIN", "policy_record_id": "p1", "interpreter": {"principal": True}}
    other = {**record, "department": "EDU", "needs_interpretation": False}
    return [
        _item(1, "catalogue.RecordDrafted", "p1", at[0], {**record, "formed_on": at[0].date().isoformat()}),
        _item(2, "interpretation.InterpretationDrafted", "i1", at[1], interpreter),
        _item(3, "interpretation.InterpretationPublished", "i1", at[1], {"published_at": at[1].isoformat()}),
        _item(4, "catalogue.RecordPublished", "p1", at[2], {"published_at": at[2].isoformat()}),
        _item(5, "interpretation.InterpretationWithdrawn", "i1", at[3], {}),
        _item(6, "catalogue.RecordDrafted", "r2", at[4], {**other, "formed_on": at[4].date().isoformat()}),
    ]


@pytest.mark.parametrize(
    ("snapshot_after", "sync_rate"),
    [
        (3, 1.0),  # the policy is published after the snapshot: counted with its interpretation
        (4, 0.0),  # only the interpretation changes after it (withdrawn): its policy is counted again
    ],
)
def test_a_past_league_counts_policies_with_their_interpretations(
    settings: Settings, snapshot_after: int, sync_rate: float
) -> None:
    """A past league from a tally snapshot and the facts after it: the policy's record is
    counted with its interpretations (found by the fact that refers to it), and again when one
    of them changes."""
    with open_application("assessment", settings) as app:
        history = _policy_history()
        worlds = worlds_for(settings, CALENDAR, snapshot_every=1_000, tally_every=1)
        positions: dict[str, int] = {}
        _apply(app, history[:snapshot_after], positions)
        worlds.snapshot_if_due(app.reading, app.transaction)
        _apply(app, history[snapshot_after:], positions)  # followed later: no snapshot of them
        with app.reading() as session:
            assert session.execute(select(func.max(tally_snapshot.c.facts))).scalar() == snapshot_after
        as_of = datetime.fromisoformat(history[snapshot_after]["occurred_at"]) + timedelta(hours=1)
        counted = _league(app, settings, as_of, worlds)
        assert counted == _league(app, settings, as_of, None)
        fin = next(c for c in counted[-2:] if c["department"] == "FIN")
        assert fin["indicators"]["interpretation_sync"]["rate"] == sync_rate


def test_snapshots_wait_until_every_upstream_is_read_to_its_head(tmp_path: Path) -> None:
    """While one upstream is behind, no snapshot is stored (it would be far from the others);
    once all are read, the ones skipped are laid out in recorded order."""
    settings = make_settings("sqlite", tmp_path, assessment_tally_snapshot_every_facts=10)
    record = {"department": "FIN", "disclosure": "proactive", "needs_interpretation": False, "item_code": None}
    history = [
        _item(n, "catalogue.RecordDrafted", f"r{n}", START + timedelta(hours=n), {**record, "formed_on": "2026-01-05"})
        for n in range(1, 36)
    ]
    with open_application("assessment", settings) as app:
        _apply(app, history, {})
        app.followed("catalogue", applied=len(history), behind=True)
        app.followed("interpretation", applied=0, behind=False)
        app.followed("opinion", applied=0, behind=False)
        assert _snapshots(app, tally_snapshot) == 0
        app.followed("catalogue", applied=0, behind=False)  # nothing new: nothing to store yet
        assert _snapshots(app, tally_snapshot) == 0
        _apply(
            app,
            [_item(36, "catalogue.RecordDrafted", "r36", START + timedelta(days=3), history[0]["data"])],
            {"catalogue": 35},
        )
        app.followed("catalogue", applied=1, behind=False)
        with app.reading() as session:
            stored = session.execute(select(tally_snapshot.c.facts).order_by(tally_snapshot.c.facts)).scalars().all()
        assert stored == [10, 20, 30, 36]


def test_the_live_world_is_frozen_out_of_the_collectors_sight_each_time_it_has_grown_enough(
    settings: Settings,
) -> None:
    """Once the live world has grown by ``freeze_every`` facts, what is alive is collected and
    frozen (the collector's full passes then skip it); not before, and not again until it has
    grown that much more. Answers are unchanged."""
    history = _small_history()
    end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
    gc.unfreeze()
    try:
        with open_application("assessment", settings) as app:
            worlds = Worlds(snapshot_every=1_000, freeze_every=3)
            positions: dict[str, int] = {}
            _apply(app, history[:2], positions)
            assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
            assert gc.get_freeze_count() == 0  # grown by 2 facts: not yet
            _apply(app, history[2:3], positions)
            assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
            frozen = gc.get_freeze_count()
            assert frozen > 0
            assert not any(o is worlds._live.records for o in gc.get_objects())  # the world among them
            _apply(app, history[3:], positions)  # 2 more: not again
            assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
            assert gc.get_freeze_count() <= frozen  # (frozen objects no longer referred to are freed)
    finally:
        gc.unfreeze()


def test_loading_a_world_snapshot_pauses_the_collector_and_always_resumes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unpickling a world runs without the cyclic collector (it only makes objects), which is
    running again afterwards, also when the bytes do not load."""
    paused: list[bool] = []
    world = World.replay(_fact(i) for i in _small_history())
    assert world.records  # something to load
    state = world.dump()
    original = World.load

    def load(raw: bytes, into: World | None = None) -> World:
        paused.append(not gc.isenabled())
        return original(raw, into)

    monkeypatch.setattr(World, "load", staticmethod(load))
    assert gc.isenabled()
    assert worlds_module._load(state).records == world.records
    with pytest.raises(gzip.BadGzipFile):
        worlds_module._load(b"not a snapshot")
    with pytest.raises(pickle.UnpicklingError):
        worlds_module._load(gzip.compress(b"not a pickle"))
    assert paused == [True, True, True]
    assert gc.isenabled()


def _same(loaded: World, world: World) -> None:
    """The same entities, in the same order in each part (the order the judge explains them in),
    with the same count of changes and clock."""
    assert loaded == world
    assert [list(entities) for _, entities in loaded.parts()] == [list(entities) for _, entities in world.parts()]
    assert (loaded.changes, loaded.clock) == (world.changes, world.clock)


@hypothesis_settings(max_examples=60, deadline=None)
@given(history=histories(), frame=st.integers(1, 4), cuts=st.lists(st.integers(0, 60), max_size=3))
def test_world_snapshots_load_as_the_world_was_whole_or_as_changes_over_the_one_before(
    history: list[dict[str, Any]], frame: int, cuts: list[int]
) -> None:
    """``World.dump`` writes the entities a few at a time, each frame a pickle with its own memo
    (one pickle of a whole world held a copy of every entity's state until it was done). The
    first snapshot of a world is whole; each later one holds only the entities added or changed
    since the one before it (``worlds._Dumps``). Loading the first and each later one into it
    gives the world as it was at each: its entities in their order, its changes and clock."""
    world = worlds_module._dumping(World())
    dumps = worlds_module._dumps_of(world)
    states: list[bytes] = []
    original = worlds_module.world_module.DUMP_FRAME
    try:
        worlds_module.world_module.DUMP_FRAME = frame
        done = 0
        for cut in [*sorted(c % (len(history) + 1) for c in cuts), len(history)]:
            for item in history[done:cut]:
                world.apply(*_fact(item))
                world.clock = datetime.fromisoformat(item["recorded_at"])
            done = max(done, cut)
            row, stored = dumps.row(world, worlds_module.Frontier())
            assert (row["base"] is None) == (not states)
            states.append(row["state"])
            stored(len(states))
            loaded = World()
            for state in states:
                World.load(state, loaded)
            _same(loaded, world)
    finally:
        worlds_module.world_module.DUMP_FRAME = original
    assert not loaded.followers
    assert not loaded._kept


def test_a_world_snapshot_not_stored_leaves_its_changes_to_the_next_one() -> None:
    """A snapshot whose row was not stored (the transaction failed) is not a base: the next one
    holds its changes too, or is whole again when there was no base yet."""
    history = _small_history()
    world = worlds_module._dumping(World())
    dumps = worlds_module._dumps_of(world)
    world.apply(*_fact(history[0]))
    _, stored = dumps.row(world, worlds_module.Frontier())
    stored(None)  # the first one was lost: the next is whole
    world.apply(*_fact(history[1]))
    whole, stored = dumps.row(world, worlds_module.Frontier())
    assert whole["base"] is None
    stored(7)
    world.apply(*_fact(history[3]))  # r1 published
    _, stored = dumps.row(world, worlds_module.Frontier())
    stored(None)  # lost: its change stays to write
    world.apply(*_fact({**history[1], "stream_id": "r4"}))
    world.apply(*_fact({**history[1], "stream_id": "r3"}))  # added after r4: explained after it
    world.apply(*_fact(history[2]))  # an incident
    changes, stored = dumps.row(world, worlds_module.Frontier())
    assert changes["base"] == 7
    stored(8)
    loaded = World.load(changes["state"], World.load(whole["state"]))
    _same(loaded, world)
    assert loaded.records["r1"].published_at is not None


def test_a_world_snapshot_whose_chain_lost_a_link_is_not_used(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot holds the changes over the one before it: when one of its chain is gone (a
    cache: removed by hand, say), a past question replays the facts instead, and says so."""
    history = _small_history()
    with open_application("assessment", settings) as app:
        _apply(app, history, {})
        worlds = Worlds(snapshot_every=1)
        worlds.snapshot_if_due(app.reading, app.transaction)  # laid out: one per fact, each over the one before
        with app.reading() as session:
            chain = session.execute(select(world_snapshot.c.id, world_snapshot.c.base).order_by("facts")).all()
        assert chain[0].base is None
        assert all(later.base == earlier.id for earlier, later in itertools.pairwise(chain))
        as_of = datetime.fromisoformat(history[-1]["occurred_at"]) - timedelta(minutes=1)  # from the 4th
        assert _league(app, settings, as_of, worlds) == _league(app, settings, as_of, None)
        assert "missing" not in caplog.text
        with app.transaction() as session:
            session.execute(delete(world_snapshot).where(world_snapshot.c.id == chain[1].id))
        assert _league(app, settings, as_of, worlds) == _league(app, settings, as_of, None)
        assert f"world snapshot {chain[1].id} is missing" in caplog.text


def test_names_are_shared_and_anything_else_is_kept_as_it_was_recorded() -> None:
    """Departments and other names many entities share are one string object each; a value
    that is not a string (a null category of an old fact, no lead department) stays as it was."""
    at = START.isoformat()
    record = {"department": "FIN", "disclosure": "proactive", "needs_interpretation": False, "item_code": None}
    facts = [
        ("catalogue.RecordDrafted", "r1", {**record, "formed_on": "2026-01-05", "category": None}, START),
        (
            "catalogue.RecordDrafted",
            "r2",
            {**record, "department": "".join(["F", "IN"]), "formed_on": "2026-01-05"},
            START,
        ),
        ("opinion.IncidentReported", "i1", {"detected_at": at, "severity": "general", "emergency": False}, START),
    ]
    world = World.replay(facts)
    assert world.records["r1"].category is None
    assert world.records["r2"].category == ""
    assert world.records["r1"].department is world.records["r2"].department
    assert world.incidents["i1"].lead_department is None


def test_a_cold_start_lays_out_its_snapshots_and_makes_its_live_world_in_one_pass(settings: Settings) -> None:
    """When the snapshots are laid out before any question made the live world, the layout's
    pass over the facts becomes the live world: each fact is folded once, not once for the
    live world and again for the layout, and the live world answers as a replay does."""
    with open_application("assessment", settings) as app:

        @hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(history=histories(), every=st.integers(1, 3), tally_every=st.integers(1, 3))
        def check(history: list[dict[str, Any]], every: int, tally_every: int) -> None:
            _reset(app)
            _apply(app, history, {})
            worlds = worlds_for(settings, CALENDAR, snapshot_every=every, tally_every=tally_every)
            folded: list[str] = []
            fold = worlds_module._fold

            def counted(world: World, frontier: Any, upstream: str, row: Any) -> None:
                folded.append(upstream)
                fold(world, frontier, upstream, row)

            worlds_module._fold = counted
            try:
                worlds.snapshot_if_due(app.reading, app.transaction)
            finally:
                worlds_module._fold = fold
            if len(history) >= 2 * min(every, tally_every):  # snapshots are laid out
                assert len(folded) == len(history)
            assert worlds._live == World.replay(_fact(i) for i in history)
            end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
            assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
            assert _explained(app, settings, end, worlds) == _explained(app, settings, end, None)

        check()


def test_a_restarted_service_starts_its_live_world_from_the_newest_world_snapshot(settings: Settings) -> None:
    """A live world yet to be made (the service restarted) is loaded from the newest world
    snapshot and folds only the facts after it, answers as a replay does, and its next snapshot
    holds the changes over the one it was loaded from."""
    history = _small_history()
    with open_application("assessment", settings) as app:
        positions: dict[str, int] = {}
        _apply(app, history[:4], positions)
        before = Worlds(snapshot_every=2)
        assert before.snapshot_if_due(app.reading, app.transaction)
        with app.reading() as session:
            newest = session.execute(
                select(world_snapshot.c.id, world_snapshot.c.facts).order_by(world_snapshot.c.facts.desc())
            ).first()
        assert newest is not None
        assert newest.facts == 4
        _apply(app, history[4:], positions)
        folded: list[str] = []
        fold = worlds_module._fold

        def counted(world: World, frontier: Any, upstream: str, row: Any) -> None:
            folded.append(upstream)
            fold(world, frontier, upstream, row)

        after = Worlds(snapshot_every=1)  # the restarted service's
        end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
        worlds_module._fold = counted
        try:
            assert _league(app, settings, end, after) == _league(app, settings, end, None)
        finally:
            worlds_module._fold = fold
        assert folded == [_upstream(history[4])]  # the one fact after the snapshot
        assert _explained(app, settings, end, after) == _explained(app, settings, end, None)
        assert after.snapshot_if_due(app.reading, app.transaction)
        with app.reading() as session:
            base = session.execute(
                select(world_snapshot.c.base).where(world_snapshot.c.facts == len(history))
            ).scalar_one()
        assert base == newest.id
        # facts removed without their snapshots (by hand, not a rebuild): no snapshot of them is loaded
        with app.transaction() as session:
            session.execute(delete(fact))
        _apply(app, history[:2], {})
        again = Worlds(snapshot_every=1)
        assert _league(app, settings, end, again) == _league(app, settings, end, None)
        assert len(again._live.records) == 2


def test_a_question_on_facts_already_applied_reads_the_facts_table_once(settings: Settings) -> None:
    """Before judging, the live world asks whether its facts are still there and which upstreams
    grew: one statement (it was three key lookups and three cursors, even with nothing new).
    When one upstream grew, only that upstream's new facts are read besides."""
    with open_application("assessment", settings) as app:
        history, positions = _small_history(), dict[str, int]()
        _apply(app, history[:-1], positions)
        end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
        counting = Counting(default_scheme(settings), rules_of(settings, CALENDAR))
        worlds = worlds_for(settings, CALENDAR)
        with app.reading() as session:
            worlds.counts_at(session, counting, 2026, end)  # the live world is made
        reads: list[str] = []

        def reading_facts(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if "assessment_fact" in statement:
                reads.append(statement)

        sqlalchemy_event.listen(app.store.engine, "before_cursor_execute", reading_facts)
        try:
            with app.reading() as session:
                worlds.counts_at(session, counting, 2026, end)
            assert len(reads) == 1, reads
            _apply(app, history[-1:], positions)  # the opinion feed grows by one fact
            reads.clear()  # what recording it read
            with app.reading() as session:
                worlds.counts_at(session, counting, 2026, end)
            assert len(reads) == 2, reads  # the heads, then the opinion facts after the frontier
            assert _upstream(history[-1]) == "opinion"
        finally:
            sqlalchemy_event.remove(app.store.engine, "before_cursor_execute", reading_facts)
        assert _league(app, settings, end, worlds) == _league(app, settings, end, None)
