"""JWT verification, roles and department scoping as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from shared.observability import request_facts
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
    """Checks a bearer token: the signature (the shared secret, the identity provider's public key,
    or its JWKS), the issuer and audience, and claims a government system can rely on (numeric
    ``exp`` within the maximum lifetime, bounded ``sub`` and ``dept``, known roles)."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.max_lifetime = settings.jwt_max_lifetime_seconds
        self.jwks: jwt.PyJWKClient | None = None
        if self.algorithm == "HS256":
            self.key: str | bytes = settings.jwt_secret
        elif settings.jwt_public_key_file is not None:
            self.key = settings.jwt_public_key_file.read_bytes()
        elif settings.jwt_jwks_url is not None:
            self.key = b""
            self.jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=300, timeout=10)
        else:
            raise ValueError(f"{self.algorithm} needs OPENNESS_JWT_PUBLIC_KEY_FILE or OPENNESS_JWT_JWKS_URL")

    def _key_for(self, token: str) -> Any:
        if self.jwks is None:
            return self.key
        try:
            return self.jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise ServiceUnavailable(
                "the identity provider's keys (JWKS) cannot be fetched", code="identity_provider_unavailable"
            ) from None
        except (jwt.PyJWKClientError, jwt.DecodeError) as error:
            raise Unauthorized(f"the token is not valid: {error}", code="token_invalid") from None

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
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
        self._check_lifetime(claims)
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

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """``exp`` (and ``iat``, ``nbf``) are JSON numbers (RFC 7519 NumericDate), not strings, and a
        token lives at most ``OPENNESS_JWT_MAX_LIFETIME_SECONDS``."""
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise Unauthorized(f"the token's {name} must be a number of seconds", code="token_invalid")
        issued = claims.get("iat")
        start = float(issued) if issued is not None else utcnow().timestamp()
        if float(claims["exp"]) - start > self.max_lifetime:
            raise Unauthorized(
                f"the token lives longer than {self.max_lifetime} s (OPENNESS_JWT_MAX_LIFETIME_SECONDS)",
                code="token_invalid",
            )


class CannotMint(ValueError):
    """Tokens come from an external identity provider: this platform holds no key to sign them."""


def issue_token(
    settings: Settings,
    *,
    sub: str,
    roles: list[str],
    dept: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """An HS256 token over the configured secret (development, tests, service-to-service).

    Raises ``CannotMint`` when tokens come from an external identity provider (RS256/EdDSA): the
    services would refuse a token signed with the secret."""
    if settings.jwt_algorithm != "HS256":
        raise CannotMint(
            f"tokens are issued by the identity provider (OPENNESS_JWT_ALGORITHM={settings.jwt_algorithm}); "
            "this platform cannot sign one the services accept"
        )
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


# Declared for the OpenAPI document (every operation that reads a token names this scheme); the
# header itself is parsed by _bearer, which also refuses a malformed one.
BEARER = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", description="身份令牌（JWT），Authorization: Bearer <token>"
)


def optional_principal(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None
) -> Principal | None:
    token = _bearer(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.verify(token)
    facts = request_facts.get()
    if facts is not None:  # the access log names who acted
        facts["principal"] = principal.sub
        if principal.dept:
            facts["department"] = principal.dept
    return principal


def sees_operations(request: Request) -> bool:
    """Whether the caller may read operational details (internal addresses, error text): the office
    and auditors. A missing or bad token is simply the public's view here, never an error."""
    try:
        principal = optional_principal(request)
    except (Unauthorized, ServiceUnavailable):
        return False
    return principal is not None and principal.has("office", "auditor")


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


class ServiceCredentials:
    """The bearer token a service presents to another (a follower, the audit CLI).

    ``OPENNESS_SERVICE_TOKEN`` when set (with an external identity provider, a platform/auditor
    token it issued; required there). Otherwise, with HS256, a token minted here for ``sub`` with
    ``roles``, living ``OPENNESS_INTERNAL_TOKEN_SECONDS`` and minted again a minute before it ends.
    """

    def __init__(self, settings: Settings, *, sub: str, roles: list[str]) -> None:
        if settings.service_token is None and settings.jwt_algorithm != "HS256":
            raise CannotMint(
                f"with OPENNESS_JWT_ALGORITHM={settings.jwt_algorithm} the services call each other with "
                "OPENNESS_SERVICE_TOKEN (a platform/auditor token the identity provider issued); it is not set"
            )
        self.settings, self.sub, self.roles = settings, sub, roles
        self._token: str | None = settings.service_token
        self._renew_at = float("inf") if self._token is not None else 0.0

    def header(self) -> dict[str, str]:
        now = utcnow().timestamp()
        if self._token is None or now >= self._renew_at:
            ttl = self.settings.internal_token_seconds
            self._token = issue_token(self.settings, sub=self.sub, roles=self.roles, ttl=timedelta(seconds=ttl))
            self._renew_at = now + max(ttl - 60, ttl / 2)
        return {"Authorization": f"Bearer {self._token}"}
