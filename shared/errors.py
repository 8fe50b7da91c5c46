"""The one error hierarchy of the platform.

Framework-free on purpose (standard library only), so that domain modules may raise these
without importing FastAPI; ``shared.web`` maps them to RFC 9457 problem+json in one place.
"""

from __future__ import annotations

from typing import Any


class OpennessError(Exception):
    """Base of every error a client may see. ``code`` is stable and documented."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class Unauthorized(OpennessError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(OpennessError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(OpennessError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(OpennessError):
    status, code, title = 409, "conflict", "Conflict"


class InvalidState(Conflict):
    """A command that the resource's current state does not allow.

    The ``code`` is always ``invalid_state`` (api.md); a more specific ``reason`` (e.g.
    ``already_extended``) travels as an extension member of the problem.
    """

    code, title = "invalid_state", "Not allowed in the current state"

    def __init__(self, detail: str, *, reason: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **({"reason": reason} if reason else {}), **extra)


class PreconditionFailed(OpennessError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(OpennessError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class RuleViolated(OpennessError):
    """Well-formed input that breaks a domain rule (an unknown department, a short window)."""

    status, code, title = 422, "rule_violated", "Rule violated"


class ValidationFailed(OpennessError):
    status, code, title = 422, "validation_failed", "Request is not valid"


class TooManyRequests(OpennessError):
    status, code, title = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(OpennessError):
    status, code, title = 503, "unavailable", "Service temporarily unavailable"
