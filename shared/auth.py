"""JWT verification, roles and department scoping as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request

from shared.errors import Forbidden, Unauthorized
from shared.settings import Settings
from shared.timeutil import utcnow

Role = Literal["editor", "head", "office", "auditor", "platform"]
ROLES: tuple[Role, ...] = ("editor", "head", "office", "auditor", "platform")


MAX_CLAIM_LENGTH = 200


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str] = field(default_factory=frozenset)
    dept: str | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def acts_for(self, department: str) -> bool:
        """Editors and heads act for their own department only; the office for every one."""
        return self.has("office") or (self.has("editor", "head") and self.dept == department)

    def sees_inside(self, department: str) -> bool:
        """Who reads a department's unpublished and personal data: whoever acts for it, and auditors."""
        return self.acts_for(department) or self.has("auditor")


def sees_inside(viewer: Principal | None, department: str) -> bool:
    """Whether ``viewer`` (None: the public) reads ``department``'s unpublished and personal data."""
    return viewer is not None and viewer.sees_inside(department)


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        if self.algorithm == "HS256":
            self.key: str | bytes = settings.jwt_secret
        elif settings.jwt_public_key_file is None:
            raise ValueError(f"{self.algorithm} needs OPENNESS_JWT_PUBLIC_KEY_FILE")
        else:
            self.key = settings.jwt_public_key_file.read_bytes()

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired", code="token_expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("the token is not for this platform (aud)", code="token_invalid") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"the token is not valid: {error}", code="token_invalid") from None
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(r in ROLES for r in roles):
            raise Unauthorized("the token's roles are not valid", code="token_invalid")
        dept = claims.get("dept")
        if dept is not None and (not isinstance(dept, str) or len(dept) > MAX_CLAIM_LENGTH):
            raise Unauthorized("the token's dept is not valid", code="token_invalid")
        if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= MAX_CLAIM_LENGTH:
            # It is recorded with every act and keys Idempotency-Keys (columns of 200 characters).
            raise Unauthorized(f"the token's sub must be 1 to {MAX_CLAIM_LENGTH} characters", code="token_invalid")
        return Principal(sub=str(claims["sub"]), roles=frozenset(roles), dept=dept)


def issue_token(
    settings: Settings,
    *,
    sub: str,
    roles: list[str],
    dept: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """An HS256 token over the configured secret (development, tests, service-to-service)."""
    now = utcnow()
    claims: dict[str, object] = {
        "sub": sub,
        "roles": roles,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if dept:
        claims["dept"] = dept
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use 'Authorization: Bearer <token>'", code="token_invalid")
    return token.strip()


def optional_principal(request: Request) -> Principal | None:
    token = _bearer(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(token)


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("this route needs a bearer token")
    return principal


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """Dependency: the caller holds at least one of ``roles``."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(*roles):
            raise Forbidden(f"this route needs one of the roles: {', '.join(roles)}", code="role_required")
        return principal

    return dependency


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
