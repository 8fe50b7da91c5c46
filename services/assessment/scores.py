"""Scores as the platform shows them: facts, actions and the scheme in force, all as of an instant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.assessment.counting import Counting, Rules, Scheme
from services.assessment.read_models import action, fact, scheme
from services.assessment.scoring import (
    DEFAULT_DEDUCTIONS,
    DEFAULT_WEIGHTS,
    ActionFact,
    Judge,
    proposed_actions,
    rank,
)
from services.assessment.world import SCORED_TYPES, World
from services.assessment.worlds import Worlds
from shared.calendar import WorkingCalendar
from shared.rules.time import Calendar
from shared.settings import Settings


def default_scheme(settings: Settings) -> Scheme:
    return Scheme(
        weights={k: float(v) for k, v in DEFAULT_WEIGHTS.items()},
        deductions=dict(DEFAULT_DEDUCTIONS),
        disclosure_working_days=settings.disclosure_working_days,
        proposal_publication_working_days=settings.proposal_publication_working_days,
        interpretation_sync_working_days=settings.interpretation_sync_working_days,
        principal_interpretations_required=settings.principal_interpretations_per_year,
    )


def scheme_from(data: dict[str, Any]) -> Scheme:
    thresholds = data["thresholds"]
    return Scheme(
        weights={k: float(v) for k, v in data["weights"].items()},
        deductions={k: float(v) for k, v in data["deductions"].items()},
        disclosure_working_days=int(thresholds["disclosure_working_days"]),
        proposal_publication_working_days=int(thresholds["proposal_publication_working_days"]),
        interpretation_sync_working_days=int(thresholds["interpretation_sync_working_days"]),
        principal_interpretations_required=int(thresholds["principal_interpretations_required"]),
    )


def scheme_in_force(
    session: Session, settings: Settings, year: int, as_of: datetime
) -> tuple[Scheme, dict[str, Any] | None]:
    """The scheme adopted for ``year`` last before ``as_of``, else the default; and when it was adopted."""
    row = session.execute(
        select(scheme)
        .where(scheme.c.year == year, scheme.c.adopted_at <= as_of)
        .order_by(scheme.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return default_scheme(settings), None
    return scheme_from(row.scheme), {"adopted_at": row.adopted_at, "adopted_by": row.adopted_by, "version": row.version}


def rules_of(settings: Settings, calendar: Calendar) -> Rules:
    return Rules(calendar=calendar, law=settings.law)


def worlds_for(
    settings: Settings, calendar: Calendar, *, snapshot_every: int | None = None, tally_every: int | None = None
) -> Worlds:
    """The service's worlds, with tally snapshots of the default scheme."""
    counting = Counting(default_scheme(settings), rules_of(settings, calendar))
    every = settings.assessment_snapshot_every_facts if snapshot_every is None else snapshot_every
    tally_every = settings.assessment_tally_snapshot_every_facts if tally_every is None else tally_every
    return Worlds(every, (counting, tally_every), freeze_every=settings.assessment_gc_freeze_every_facts)


@contextmanager
def world_at(session: Session, as_of: datetime, worlds: Worlds | None = None) -> Iterator[World]:
    """The world of the facts recorded by ``as_of``: from the service's worlds (live or snapshot
    plus the facts since), or replayed from scratch when none are given (the reference)."""
    if worlds is None:
        yield _replay(session, as_of)
        return
    with worlds.at(session, as_of) as world:
        yield world


def _replay(session: Session, as_of: datetime) -> World:
    rows = session.execute(
        select(fact.c.type, fact.c.stream_id, fact.c.data, fact.c.occurred_at)
        .where(fact.c.recorded_at <= as_of, fact.c.type.in_(SCORED_TYPES))
        .order_by(fact.c.upstream, fact.c.position)
    ).all()
    return World.replay((r.type, r.stream_id, r.data, r.occurred_at) for r in rows)


def actions_at(session: Session, as_of: datetime) -> list[Any]:
    return list(session.execute(select(action).where(action.c.created_at <= as_of)).all())


@contextmanager
def _judge(
    session: Session,
    settings: Settings,
    calendar: WorkingCalendar,
    year: int,
    as_of: datetime,
    worlds: Worlds | None,
    *,
    tallied: bool = False,
    only: str | None = None,
) -> Iterator[tuple[Judge, list[ActionFact], dict[str, Any]]]:
    """A judge of ``year`` at ``as_of``; ``tallied``: from the worlds' tallies when they can
    answer (a league), else over the world of that instant; ``only``: the one department it will
    be asked about (then a past world holds that department's share, ``Worlds.of_department``)."""
    in_force, adopted = scheme_in_force(session, settings, year, as_of)
    actions = [ActionFact(a.department, a.kind, a.issued_on) for a in actions_at(session, as_of)]
    rules = rules_of(settings, calendar)
    used = {**in_force.as_dict(), "adopted": adopted}
    counting = Counting(in_force, rules)
    if tallied and worlds is not None:
        counts = worlds.counts_at(session, counting, year, as_of)
        if counts is not None:
            yield Judge(World(), in_force, rules, year, as_of, tallied=counts), actions, used
            return
    if only is not None and worlds is not None:
        opened = worlds.of_department(session, only, as_of)
    else:
        opened = world_at(session, as_of, worlds)
    with opened as world:
        tally = None if worlds is None else worlds.live_tally(world, counting)
        yield Judge(world, in_force, rules, year, as_of, tally=tally), actions, used


def league(
    session: Session,
    *,
    settings: Settings,
    calendar: WorkingCalendar,
    departments: list[str],
    year: int,
    as_of: datetime,
    worlds: Worlds | None = None,
) -> dict[str, Any]:
    with _judge(session, settings, calendar, year, as_of, worlds, tallied=True) as (judge, actions, scheme_used):
        return league_table(judge, actions, departments, scheme_used)


def league_table(
    judge: Judge, actions: list[ActionFact], departments: list[str], scheme_used: dict[str, Any]
) -> dict[str, Any]:
    """The league as ``GET /scores`` answers it, from a judge (the live service and ``openness
    audit replay`` both call this)."""
    scored = [judge.department(d, actions, explain=False) for d in departments]
    table = rank(
        [
            {
                "department": s["department"],
                "score": s["score"],
                "rates": {k: v["rate"] for k, v in s["indicators"].items()},
                "indicators": {k: {"rate": v["rate"]} for k, v in s["indicators"].items()},
                "deductions": s["deductions"]["points"],
            }
            for s in scored
        ]
    )
    return {"year": judge.year, "as_of": judge.as_of, "scheme": scheme_used, "items": table}


def breakdowns(
    session: Session,
    *,
    settings: Settings,
    calendar: WorkingCalendar,
    departments: list[str],
    year: int,
    as_of: datetime,
    worlds: Worlds | None = None,
    explain: bool = True,
) -> list[dict[str, Any]]:
    """Each department's score explained (``GET /scores/{department}``), all by one judge;
    ``explain=False``: the counts without the violations behind them (from tallies, as a league)."""
    only = departments[0] if explain and len(departments) == 1 else None
    judging = _judge(session, settings, calendar, year, as_of, worlds, tallied=not explain, only=only)
    with judging as (judge, actions, used):
        return [{**judge.department(d, actions, explain=explain), "scheme": used} for d in departments]


def proposed(
    session: Session,
    *,
    settings: Settings,
    calendar: WorkingCalendar,
    year: int,
    as_of: datetime,
    worlds: Worlds | None = None,
) -> list[dict[str, Any]]:
    acted_on = {ref.get("ref_id") for a in actions_at(session, as_of) for ref in a.refs}
    with world_at(session, as_of, worlds) as world:
        return proposed_actions(world, year, as_of, settings.law, {r for r in acted_on if r})
