"""Use cases of the assessment service."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from services.assessment import read_models
from services.assessment.domain import Action, YearScheme
from services.assessment.projection import projection
from services.assessment.read_models import fact, tally_snapshot, world_snapshot
from services.assessment.scores import breakdowns, league, proposed, worlds_for
from services.assessment.world import UPSTREAMS
from shared.application import ServiceApplication
from shared.auth import Principal
from shared.errors import NotFound
from shared.timeutil import local_date

log = logging.getLogger("openness.assessment")


class AssessmentApplication(ServiceApplication):
    service = "assessment"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Action, YearScheme)
    official_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "assessment.ActionIssued": ("reason",),  # 通报批评 and 约谈整改 are published
        "assessment.ActionRectified": ("note",),
    }
    follower_tables = (fact, world_snapshot, tally_snapshot)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.worlds = worlds_for(self.settings, self.calendar)
        self._behind: dict[str, bool] = {}  # per upstream: more to read after its last poll

    def followed(self, upstream: str, *, applied: int, behind: bool) -> None:
        """Snapshots are written once every upstream has been read to its head: a snapshot taken
        while one upstream is far behind the others would leave a past question a long way to
        replay. Those skipped while catching up are laid out afterwards, in recorded order."""
        self._behind[upstream] = behind
        if not applied or any(self._behind.get(u, True) for u in UPSTREAMS):
            return
        try:
            self.worlds.snapshot_if_due(self.reading, self.transaction)
        except Exception:  # a snapshot is a cache: without it a past as_of replays more, nothing else
            log.exception("storing a world snapshot failed after following %s", upstream)

    def issue_action(self, *, actor: Principal, issued_on: date, fields: dict[str, Any]) -> Action:
        action = Action.issue(**fields, issued_on=issued_on, issued_by=actor.sub, issued_at=self.clock())
        self.save(action)
        return action

    def rectify_action(
        self, action_id: UUID, *, actor: Principal, expected_version: int | None, on: date, note: str
    ) -> Action:
        action = self.load(action_id, Action, expected_version=expected_version)
        self.refuse_future(on=on)
        action.rectify(on=on, note=note, by=actor.sub)
        self.save(action)
        return action

    def adopt_scheme(self, *, actor: Principal, year: int, scheme: dict[str, Any]) -> YearScheme:
        try:
            sheet = self.load(YearScheme.create_id(year), YearScheme)
        except NotFound:
            sheet = YearScheme(year=year)
        sheet.adopt(scheme={**scheme, "year": year}, at=self.clock(), by=actor.sub)
        self.save(sheet)
        return sheet

    # --- scores as of an instant (the JSON routes and the desk answer with these) ---------------------

    def league_at(self, departments: list[str], year: int, as_of: datetime) -> dict[str, Any]:
        with self.reading() as session:
            return league(
                session,
                settings=self.settings,
                calendar=self.calendar,
                departments=departments,
                year=year,
                as_of=as_of,
                worlds=self.worlds,
            )

    def breakdowns_at(self, departments: list[str], year: int, as_of: datetime) -> list[dict[str, Any]]:
        with self.reading() as session:
            return breakdowns(
                session,
                settings=self.settings,
                calendar=self.calendar,
                departments=departments,
                year=year,
                as_of=as_of,
                worlds=self.worlds,
            )

    def violations_now(self, departments: list[str]) -> dict[str, int]:
        now = self.clock()
        counts: Counter[str] = Counter()
        for explained in self.breakdowns_at(departments, local_date(now).year, now):
            for indicator in explained["indicators"].values():
                counts.update(v["kind"] for v in indicator["violations"])
        return dict(counts)

    def proposed_at(self, year: int, as_of: datetime) -> list[dict[str, Any]]:
        with self.reading() as session:
            return proposed(
                session, settings=self.settings, calendar=self.calendar, year=year, as_of=as_of, worlds=self.worlds
            )
