"""The refusals every route makes before its endpoint runs, always in this order: who is calling
(401), whether that role may do this (403), the preconditions (428 without the Idempotency-Key
a money route requires, 422 for a malformed one), then the body (400 for JSON that is not UTF-8
or nests too deeply) before any parser reads it; the body's content (422) comes last.

FastAPI alone reads and parses the body before any dependency runs, and runs a route's
dependencies in the order they are declared: a malformed body was a 422 before a missing
token's 401, and an auditor's POST to a money route without a key a 428 before its 403.
The guard takes the route's own role checks and key requirement from its dependencies, so each
is still declared once, on the route, and shows in the contract as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from shared import idempotency
from shared.auth.dependencies import BearerPrincipal
from shared.limits import json_body_problem

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


class Guard:
    """What a route checks before its dependencies and body are read (see the module)."""

    def __init__(self, dependant: Dependant, *, keys: bool) -> None:
        calls = list(_calls(dependant))
        # Every role check of the route (a dependency may add its own): all must admit.
        self.role_checks = [call for call in calls if isinstance(call, BearerPrincipal)]
        self.key_required = any(call is idempotency.require_idempotency_key for call in calls)
        self.keys = keys  # the route honours Idempotency-Key (a transactional route)

    async def __call__(self, request: Request) -> None:
        # A dependency the app overrides (a test's stand-in) is the override's to check.
        overridden = getattr(request.app, "dependency_overrides", None) or {}
        for check in self.role_checks:
            if check not in overridden:
                await check(request)
        if self.keys and request.method == "POST":
            raw_key = request.headers.get(idempotency.IDEMPOTENCY_HEADER)
            if self.key_required and idempotency.require_idempotency_key not in overridden:
                idempotency.required_key(raw_key)
            elif raw_key is not None:
                idempotency.check_key(raw_key)
        if request.method in BODY_METHODS:
            problem = json_body_problem(await request.body(), request.headers.get("content-type"))
            if problem is not None:
                raise problem


class GuardedRoute(APIRoute):
    """A route that refuses in the documented order (see the module) before FastAPI reads it."""

    keys = False

    def get_route_handler(self) -> Handler:
        return self.guarded(super().get_route_handler(), Guard(self.dependant, keys=self.keys))

    def guarded(self, handle: Callable[[Request], Awaitable[Response]], guard: Guard) -> Handler:
        async def guarded_handler(request: Request) -> Response:
            await guard(request)
            return await handle(request)

        return guarded_handler
