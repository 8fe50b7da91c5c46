"""A webhook subscription as an event-sourced aggregate, one class per service (its events are
``<service>.WebhookRegistered``, ``…WebhookSecretRotated``, ``…WebhookDisabled``, ``…WebhookDeleted``
in that service's log). The signing secret is not in any event: it lives in the webhook state
table, so the feed never shows it.
"""

from __future__ import annotations

import functools

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState


@functools.cache
def webhook_aggregate(service: str) -> type[Aggregate]:
    class Webhook(Aggregate):
        TOPIC = f"{service}.Webhook"

        class Event(Aggregate.Event):
            TOPIC = f"{service}.Webhook.Event"

        class Created(Event, Aggregate.Created):
            TOPIC = f"{service}.Webhook.Created"

        class Registered(Created):
            TOPIC = f"{service}.Webhook.Registered"
            owner: str
            url: str
            types: list[str]
            departments: list[str]
            description: str
            start_position: int

        @event(Registered)
        def __init__(
            self, owner: str, url: str, types: list[str], departments: list[str], description: str, start_position: int
        ) -> None:
            self.owner = owner
            self.url = url
            self.types = list(types)
            self.departments = list(departments)
            self.description = description
            self.start_position = start_position
            self.status = "active"

        def _must_exist(self) -> None:
            if self.status == "deleted":
                raise InvalidState("the webhook is deleted", reason="deleted")

        def rotate_secret(self, *, by: str) -> None:
            self._must_exist()
            self._secret_rotated(rotated_by=by)

        @event("SecretRotated", topic=f"{service}.Webhook.SecretRotated")
        def _secret_rotated(self, rotated_by: str) -> None:
            pass

        def disable(self, *, reason: str) -> None:
            if self.status == "active":
                self._disabled(reason=reason)

        @event("Disabled", topic=f"{service}.Webhook.Disabled")
        def _disabled(self, reason: str) -> None:
            self.status = "disabled"

        def delete(self, *, by: str) -> None:
            self._must_exist()
            self._deleted(deleted_by=by)

        @event("Deleted", topic=f"{service}.Webhook.Deleted")
        def _deleted(self, deleted_by: str) -> None:
            self.status = "deleted"

    Webhook.__qualname__ = Webhook.__name__ = f"{service.capitalize()}Webhook"
    return Webhook
