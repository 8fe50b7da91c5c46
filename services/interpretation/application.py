"""Use cases of the interpretation service."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import select

from services.interpretation import read_models
from services.interpretation.domain import Interpretation
from services.interpretation.projection import projection
from services.interpretation.read_models import policy
from shared.application import ServiceApplication, expect_version
from shared.auth import Principal
from shared.errors import Forbidden, NotFound, RuleViolated, ServiceUnavailable


class InterpretationApplication(ServiceApplication):
    service = "interpretation"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Interpretation,)
    official_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "interpretation.InterpretationDrafted": ("title", "body", "interpreter"),  # published with the interpreter's name and post
        "interpretation.InterpretationWithdrawn": ("reason",),
    }  # fmt: skip
    follower_tables = (policy,)

    def draft_interpretation(self, *, actor: Principal, fields: dict[str, Any]) -> Interpretation:
        if not actor.acts_for(fields["department"]):
            raise Forbidden(
                f"you act for {actor.dept or 'no department'}, not {fields['department']}", code="other_department"
            )
        known = self._policy(fields["policy_record_id"])  # the caller made sure it was followed
        if known is None:
            raise RuleViolated(f"no catalogue record {fields['policy_record_id']}", code="unknown_policy")
        if known.revoked_at is not None:
            raise RuleViolated("the policy has been revoked", code="policy_revoked")
        if known.department != fields["department"] and not actor.has("office"):
            raise RuleViolated(
                f"the policy is {known.department}'s: a department interprets its own policies "
                "(the office may record another department's interpretation)",
                code="policy_of_other_department",
            )
        interpretation = Interpretation(**fields, drafted_by=actor.sub)
        self.save(interpretation)
        return interpretation

    def publish_interpretation(
        self, interpretation_id: UUID, *, actor: Principal, expected_version: int | None
    ) -> Interpretation:
        interpretation = self._own(interpretation_id, actor, expected_version)
        interpretation.publish(at=self.clock(), by=actor.sub, by_head=actor.has("head"))
        self.save(interpretation)
        return interpretation

    def withdraw_interpretation(
        self, interpretation_id: UUID, *, actor: Principal, expected_version: int | None, reason: str
    ) -> Interpretation:
        interpretation = self._own(interpretation_id, actor, expected_version)
        interpretation.withdraw(reason=reason, by=actor.sub, by_head=actor.has("head"))
        self.save(interpretation)
        return interpretation

    def _own(self, interpretation_id: UUID, actor: Principal, expected_version: int | None) -> Interpretation:
        interpretation = self.load(interpretation_id, Interpretation)
        if not actor.acts_for(interpretation.department):
            if interpretation.status == "draft":
                raise NotFound(f"no interpretation {interpretation_id}")
            raise Forbidden("only the interpretation's own department may change it", code="other_department")
        expect_version(interpretation, expected_version)
        return interpretation

    def known_policy(self, record_id: str) -> Any | None:
        """The policy as followed from the catalogue; if not seen yet, catch up with the feed first.

        A record published a moment ago must not be refused because the follower has not
        polled yet, so an unknown id triggers one synchronous catch-up. Call it before a write
        transaction, never inside one: it waits on the catalogue over HTTP.
        """
        row = self._policy(record_id)
        if row is None:
            try:
                for follower in self.followers:
                    follower.catch_up()
            except Exception as error:
                raise ServiceUnavailable(
                    "the catalogue cannot be reached to check the policy", code="catalogue_unreachable"
                ) from error
            row = self._policy(record_id)
        return row

    def _policy(self, record_id: str) -> Any | None:
        with self.reading() as session:
            return session.execute(select(policy).where(policy.c.id == record_id)).first()
