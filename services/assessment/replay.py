"""``openness audit replay``: the league table re-derived from audit bundles alone.

The upstream bundles are verified (links, signed checkpoint, Merkle root), turned into the
facts the assessment's followers would have stored (``fact_data``), limited to what was
recorded by ``as_of``, replayed into a ``World`` and judged by the same ``Judge`` and rules the
live service uses. The assessment's own bundle, when given, supplies the scheme in force and
the accountability actions issued by then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from services.assessment.counting import Scheme
from services.assessment.projection import fact_data
from services.assessment.scores import default_scheme, league_table, rules_of, scheme_from
from services.assessment.scoring import ActionFact, Judge
from services.assessment.world import SCORED_TYPES, UPSTREAMS, World
from shared import bundle
from shared.calendar import WorkingCalendar
from shared.departments import Departments
from shared.settings import Settings
from shared.signednote import NoteError
from shared.timeutil import local_date
from shared.verify import open_checkpoint, verify_events


def _recorded_at(item: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(item["recorded_at"]).replace("Z", "+00:00"))


def verified_items(path: Path) -> list[dict[str, Any]]:
    """Every event of a bundle, after checking the whole bundle against its signed checkpoint."""
    opened = bundle.read(path)
    try:
        checkpoint = open_checkpoint(opened.checkpoint_note, opened.verifiers, opened.log.get("origin"))
        if opened.frontier_size:
            raise NoteError(f"{path} starts after the first event; replay needs the whole log")
        items = list(opened.events())
        report = verify_events(items, algorithm=opened.log["hash_algorithm"], checkpoint=checkpoint)
        if not report.ok:
            raise NoteError(f"{path} does not verify at position {report.first_broken_position}: {report.reason}")
        return items
    finally:
        opened.close()


def _facts(items: list[dict[str, Any]], as_of: datetime) -> Iterator[tuple[str, str, dict[str, Any], datetime]]:
    for item in items:
        if item["type"] in SCORED_TYPES and _recorded_at(item) <= as_of:
            yield item["type"], item["stream_id"], fact_data(item["data"]), datetime.fromisoformat(item["occurred_at"])


def _scheme_and_actions(
    settings: Settings, items: list[dict[str, Any]], year: int, as_of: datetime
) -> tuple[Scheme, dict[str, Any] | None, list[ActionFact]]:
    scheme, adopted, actions = default_scheme(settings), None, []
    for item in items:
        data = item["data"]
        if item["type"] == "assessment.YearSchemeAdopted" and int(data["scheme"]["year"]) == year:
            adopted_at = datetime.fromisoformat(data["adopted_at"])
            if adopted_at <= as_of:
                scheme = scheme_from(data["scheme"])
                adopted = {
                    "adopted_at": adopted_at,
                    "adopted_by": data["adopted_by"],
                    "version": item["stream_version"],
                }
        elif item["type"] == "assessment.ActionIssued":
            issued_at = datetime.fromisoformat(data.get("issued_at") or item["occurred_at"])
            if issued_at <= as_of:
                actions.append(ActionFact(data["department"], data["kind"], date.fromisoformat(data["issued_on"])))
    return scheme, adopted, actions


def replay_bundles(
    settings: Settings, bundles: Mapping[str, Path], assessment: Path | None, *, as_of: datetime, year: int | None
) -> dict[str, Any]:
    year = year or local_date(as_of).year
    upstream = {name: verified_items(bundles[name]) for name in UPSTREAMS}
    world = World.replay(fact for name in UPSTREAMS for fact in _facts(upstream[name], as_of))
    own = verified_items(assessment) if assessment is not None else []
    scheme, adopted, actions = _scheme_and_actions(settings, own, year, as_of)
    judge = Judge(world, scheme, rules_of(settings, WorkingCalendar(settings.calendar_file)), year, as_of)
    departments = Departments(settings.departments_file).codes()
    table = league_table(judge, actions, departments, {**scheme.as_dict(), "adopted": adopted})
    table["breakdowns"] = {d: judge.department(d, actions) for d in departments}
    return table


def differences(derived: Mapping[str, Any], live: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each department whose rank, score or indicator rates differ between the two tables."""
    mine = {e["department"]: e for e in derived["items"]}
    theirs = {e["department"]: e for e in live["items"]}
    found = []
    for department in sorted(set(mine) | set(theirs)):
        a, b = mine.get(department), theirs.get(department)
        if a is None or b is None:
            found.append({"department": department, "replayed": a, "live": b})
            continue
        for key in ("rank", "score", "rates", "deductions"):
            if a.get(key) != b.get(key):
                found.append({"department": department, "field": key, "replayed": a.get(key), "live": b.get(key)})
    return found
