"""FastAPI dependencies: the authenticated principal, and role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
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


class _BearerPrincipal(HTTPBearer):
    """The authenticated caller, as a security dependency: it declares the bearer scheme in the
    contract (Swagger UI's Authorize button) and yields the verified principal in one step."""

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal = await principal_of(request)
        if principal is None:
            raise Unauthorized("This endpoint needs a bearer token: 'Authorization: Bearer <JWT>'")
        return principal


authenticated = _BearerPrincipal(
    scheme_name="HTTPBearer", auto_error=False, description=_BEARER_DESCRIPTION
)


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only the given roles (403 for any other authenticated caller)."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    async def dependency(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                f"Role {principal.role.value!r} may not do this; it needs one of: {names}"
            )
        return principal

    return dependency
