"""Use cases of the assessment service."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.assessment import read_models
from services.assessment.domain import Action
from services.assessment.projection import projection
from services.assessment.read_models import fact
from shared.application import ServiceApplication
from shared.auth import Principal


class AssessmentApplication(ServiceApplication):
    service = "assessment"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Action,)
    follower_tables = (fact,)

    def issue_action(self, *, actor: Principal, issued_on: date, fields: dict[str, Any]) -> Action:
        action = Action.issue(**fields, issued_on=issued_on, issued_by=actor.sub)
        self.save(action)
        return action

    def rectify_action(
        self, action_id: UUID, *, actor: Principal, expected_version: int | None, on: date, note: str
    ) -> Action:
        action = self.load(action_id, Action, expected_version=expected_version)
        action.rectify(on=on, note=note, by=actor.sub)
        self.save(action)
        return action
