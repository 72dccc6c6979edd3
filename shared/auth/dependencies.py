"""FastAPI dependencies: the authenticated principal, and role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.security import HTTPBearer

from shared.auth.principal import Principal, Role
from shared.auth.tokens import TokenVerifier
from shared.errors import Forbidden, Unauthorized

_BEARER_DESCRIPTION = "A JWT from the bureau's identity provider (in dev: `make token ROLE=...`)"


async def principal_of(request: Request) -> Principal | None:
    """The caller, verified once per request and kept on ``request.state``; None if no token."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the token as 'Authorization: Bearer <JWT>'")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(token.strip())
    request.state.principal = principal
    return principal


class BearerPrincipal(HTTPBearer):
    """The authenticated caller in one of ``roles``, as a security dependency: it declares the
    bearer scheme in the contract (Swagger UI's Authorize button), verifies the token and checks
    the role in one step (401 without a valid token, 403 for a role not admitted)."""

    def __init__(self, roles: frozenset[Role]) -> None:
        super().__init__(
            scheme_name="HTTPBearer", auto_error=False, description=_BEARER_DESCRIPTION
        )
        self.roles = roles
        self.names = ", ".join(sorted(r.value for r in roles))

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal = await principal_of(request)
        if principal is None:
            raise Unauthorized("This endpoint needs a bearer token: 'Authorization: Bearer <JWT>'")
        if principal.role not in self.roles:
            raise Forbidden(
                f"Role {principal.role.value!r} may not do this; it needs one of: {self.names}"
            )
        return principal


# Any authenticated caller, whatever the role.
authenticated = BearerPrincipal(frozenset(Role))


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only the given roles (403 for any other authenticated caller)."""
    return BearerPrincipal(frozenset(roles))
