"""Webhook subscriptions of one service: create, read, rotate, delete; the read model kept from
their events; the delivery records an owner may list and redeliver."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from shared.errors import InvalidState, NotFound, ValidationFailed
from shared.webhooks.domain import webhook_aggregate
from shared.webhooks.messages import new_secret
from shared.webhooks.targets import check_url

if TYPE_CHECKING:
    from shared.application import ServiceApplication
    from shared.auth import Principal

# What a platform reader of the feed does not see of another platform's subscription.
PRIVATE_FIELDS = ("owner", "url", "description")


def personal_fields(service: str) -> dict[str, tuple[str, ...]]:
    """The webhook events' fields hidden from platform readers (merged into each service's map)."""
    return {f"{service}.WebhookRegistered": PRIVATE_FIELDS}


def official_text_fields(service: str) -> dict[str, tuple[str, ...]]:
    """The webhook events' text the service itself wrote (why it disabled a subscription)."""
    return {f"{service}.WebhookDisabled": ("reason",)}


def is_webhook_type(service: str, type_: str) -> bool:
    return type_.startswith(f"{service}.Webhook")


def project(session: Session, app: ServiceApplication, domain_event: Any) -> None:
    """Keep ``<service>_webhooks`` in step with the webhook events (called in the write transaction)."""
    aggregate = webhook_aggregate(app.service)
    table = app.kernel.webhooks.webhooks
    at, version, row_id = domain_event.timestamp, domain_event.originator_version, str(domain_event.originator_id)
    if isinstance(domain_event, aggregate.Registered):  # type: ignore[attr-defined]
        session.execute(
            table.insert().values(
                id=row_id,
                owner=domain_event.owner,
                url=domain_event.url,
                types=domain_event.types,
                departments=domain_event.departments,
                description=domain_event.description,
                start_position=domain_event.start_position,
                status="active",
                created_at=at,
                updated_at=at,
                version=version,
            )
        )
        return
    name = type(domain_event).__name__
    if name not in ("SecretRotated", "Disabled", "Deleted"):
        return
    values: dict[str, Any] = {"updated_at": at, "version": version}
    if name == "Disabled":
        values.update(status="disabled", disabled_reason=domain_event.reason[:500])
    elif name == "Deleted":
        values.update(status="deleted")
    session.execute(update(table).where(table.c.id == row_id).values(**values))


def validate(app: ServiceApplication, fields: dict[str, Any]) -> None:
    """422 for a refused URL (it resolves the host: call it outside any write transaction) or a
    type this service's feed does not have."""
    check_url(fields["url"], allow_private=app.settings.webhook_allow_private)
    unknown = sorted(t for t in fields["types"] if t not in app.type_topics or is_webhook_type(app.service, t))
    if unknown:
        raise ValidationFailed(f"not event types of this service's feed: {', '.join(unknown)}", code="invalid_types")


def register(app: ServiceApplication, owner: Principal, fields: dict[str, Any]) -> tuple[str, str]:
    """A new webhook (``fields`` validated) and its secret, shown once. Delivery starts after the head."""
    secret = new_secret()
    with app.transaction() as session:
        webhook_class: Any = webhook_aggregate(app.service)
        webhook = webhook_class(
            owner=owner.sub,
            url=fields["url"],
            types=sorted(set(fields["types"])),
            departments=sorted(set(fields.get("departments") or [])),
            description=fields.get("description") or "",
            start_position=app.head_position(),
        )
        app.save(webhook)
        session.execute(
            app.kernel.webhooks.state.insert().values(
                webhook_id=str(webhook.id),
                secret=secret,
                queued_to=webhook.start_position,  # type: ignore[attr-defined]
            )
        )
    return str(webhook.id), secret


def _visible(app: ServiceApplication, webhook_id: UUID, principal: Principal) -> dict[str, Any]:
    """The webhook's row, if ``principal`` owns it or is the office; else 404 (another's is not revealed)."""
    table = app.kernel.webhooks.webhooks
    with app.reading() as session:
        row = session.execute(select(table).where(table.c.id == str(webhook_id))).first()
    if row is None or row.status == "deleted" or not (principal.has("office") or row.owner == principal.sub):
        raise NotFound(f"no webhook {webhook_id}")
    return dict(row._mapping)


def _owned(app: ServiceApplication, webhook_id: UUID, principal: Principal) -> Any:
    """The aggregate, for a command, once ``principal`` may see it."""
    _visible(app, webhook_id, principal)
    return app.repository.get(webhook_id)


def rotate_secret(app: ServiceApplication, webhook_id: UUID, principal: Principal) -> str:
    secret = new_secret()
    with app.transaction() as session:
        webhook = _owned(app, webhook_id, principal)
        webhook.rotate_secret(by=principal.sub)
        app.save(webhook)
        state = app.kernel.webhooks.state
        session.execute(update(state).where(state.c.webhook_id == str(webhook_id)).values(secret=secret))
    return secret


def delete(app: ServiceApplication, webhook_id: UUID, principal: Principal) -> None:
    with app.transaction():
        webhook = _owned(app, webhook_id, principal)
        webhook.delete(by=principal.sub)
        app.save(webhook)


def disable(app: ServiceApplication, webhook_id: str, reason: str) -> None:
    """The receiver answered 410 Gone: no more deliveries until the owner creates a new webhook."""
    with app.transaction():
        webhook: Any = app.repository.get(UUID(webhook_id))
        webhook.disable(reason=reason)
        app.save(webhook)


def view(app: ServiceApplication, webhook_id: UUID, principal: Principal) -> dict[str, Any]:
    return _visible(app, webhook_id, principal)


def listing(
    app: ServiceApplication, principal: Principal, *, after: dict[str, Any] | None, limit: int
) -> list[dict[str, Any]]:
    """The subscriptions the principal sees, oldest first, after the (created_at, id) of ``after``."""
    table = app.kernel.webhooks.webhooks
    query = select(table).where(table.c.status != "deleted").order_by(table.c.created_at, table.c.id).limit(limit)
    if not principal.has("office"):
        query = query.where(table.c.owner == principal.sub)
    if after is not None:
        moment, last = datetime.fromisoformat(str(after.get("t"))), str(after.get("i"))  # a cursor we signed
        query = query.where(or_(table.c.created_at > moment, and_(table.c.created_at == moment, table.c.id > last)))
    with app.reading() as session:
        return [dict(row._mapping) for row in session.execute(query)]


def attempts(
    app: ServiceApplication, webhook_id: UUID, principal: Principal, *, after: int, limit: int
) -> list[dict[str, Any]]:
    """Every attempt of the webhook's deliveries (and deliveries not yet attempted), oldest first."""
    _visible(app, webhook_id, principal)
    d, a = app.kernel.webhooks.deliveries, app.kernel.webhooks.attempts
    query = (
        select(
            d.c.id.label("delivery_id"),
            d.c.event_position,
            d.c.event_id,
            d.c.status,
            a.c.attempt,
            a.c.status_code,
            a.c.error,
            a.c.at,
            a.c.next_attempt_at,
        )
        .select_from(d.outerjoin(a, a.c.delivery_id == d.c.id))
        .where(d.c.webhook_id == str(webhook_id), d.c.id > after)
        .order_by(d.c.id, a.c.attempt)
        .limit(limit)
    )
    with app.reading() as session:
        return [dict(row._mapping) for row in session.execute(query)]


def redeliver(app: ServiceApplication, webhook_id: UUID, delivery_id: int, principal: Principal) -> dict[str, Any]:
    """Send the delivery again now, whatever became of it, within the redelivery window."""
    if _visible(app, webhook_id, principal)["status"] != "active":
        raise InvalidState("the webhook is disabled; create a new one", reason="disabled")
    d = app.kernel.webhooks.deliveries
    now = app.clock()
    with app.transaction() as session:
        row = session.execute(select(d).where(d.c.id == delivery_id, d.c.webhook_id == str(webhook_id))).first()
        if row is None:
            raise NotFound(f"no delivery {delivery_id} of webhook {webhook_id}")
        if now - row.created_at > timedelta(days=app.settings.webhook_redeliver_days):
            raise InvalidState(
                f"deliveries older than {app.settings.webhook_redeliver_days} days are not redelivered",
                reason="redelivery_window_passed",
            )
        session.execute(update(d).where(d.c.id == delivery_id).values(status="pending", next_attempt_at=now))
    return {"delivery_id": delivery_id, "status": "pending", "next_attempt_at": now}
