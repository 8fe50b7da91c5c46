"""Interpretation events -> rows; catalogue feed items -> the policy view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from services.interpretation.domain import Interpretation
from services.interpretation.read_models import interpretation, policy
from shared.application import Projection, ServiceApplication

projection = Projection(interpretation)


@projection.on(Interpretation.Drafted)
def drafted(session: Session, e: Any) -> None:
    session.execute(
        insert(interpretation),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "policy_record_id": e.policy_record_id,
            "title": e.title,
            "form": e.form,
            "interpreter": e.interpreter,
            "principal": bool(e.interpreter.get("principal")),
            "body": e.body,
            "media_url": e.media_url,
            "status": "draft",
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )


@projection.on(Interpretation.Published)
def published(session: Session, e: Any) -> None:
    projection.update(session, interpretation, e, status="published", published_at=e.published_at)


@projection.on(Interpretation.Withdrawn)
def withdrawn(session: Session, e: Any) -> None:
    projection.update(session, interpretation, e, status="withdrawn")


# --- following the catalogue feed ------------------------------------------------------------

POLICY_TYPES = (
    "catalogue.RecordDrafted",
    "catalogue.RecordPublished",
    "catalogue.RecordCorrected",
    "catalogue.RecordRevoked",
)


def follow_catalogue(_: ServiceApplication, session: Session, item: dict[str, Any]) -> None:
    data, record_id = item["data"], item["stream_id"]
    kind = item["type"]
    if kind == "catalogue.RecordDrafted":
        session.execute(
            insert(policy),
            {
                "id": record_id,
                "department": data["department"],
                "title": data["title"],
                "category": data["category"],
                "needs_interpretation": bool(data["needs_interpretation"]),
            },
        )
    elif kind == "catalogue.RecordPublished":
        at = datetime.fromisoformat(data["published_at"])
        session.execute(update(policy).where(policy.c.id == record_id).values(published_at=at))
    elif kind == "catalogue.RecordCorrected" and data.get("title"):
        session.execute(update(policy).where(policy.c.id == record_id).values(title=data["title"]))
    elif kind == "catalogue.RecordRevoked":
        at = datetime.fromisoformat(item["occurred_at"])
        session.execute(update(policy).where(policy.c.id == record_id).values(revoked_at=at))
