"""One transaction per request, owned by the route: commit before the response, roll back on error.

``TransactionalRoute`` wraps every service route. It opens the session the route's
dependencies use, refuses what the route guard refuses (``shared.route_guard``: token, role,
key, body form, in that order), claims an ``Idempotency-Key`` if one is sent, runs the route,
and then, in
the same transaction, stores the response for replay and appends the audit record of a
state-changing request; only then does it commit and let the response go. A refused or failed
request is rolled back whole and its refusal is audited in a transaction of its own.

A read-only request (GET, HEAD, OPTIONS) gets ``Database.read_session()``: on PostgreSQL its
statements run in autocommit (each has its own snapshot under READ COMMITTED in any case) and a
write is refused; nothing is committed, closing the session ends it. Its hottest reads
(``shared.db.fetch_all``) run on the database's read pool and never give the session a
connection at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from shared import audit, idempotency
from shared.audit import AuditEvent, AuditNote
from shared.auth.dependencies import principal_of
from shared.auth.principal import Principal
from shared.db import Database
from shared.errors import ProblemError, RequestInvalid
from shared.request_id import current_request_id
from shared.route_guard import Guard, GuardedRoute, Handler

log = structlog.get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncSession:
    """The request's session (dependency). Services ``flush()``; the route commits."""
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("get_session used on a route that is not a TransactionalRoute")
    return session  # type: ignore[no-any-return]


async def get_audit_note(request: Request) -> AuditNote:
    """Where a router records what object its request acted on, for the audit log."""
    return request.state.audit_note  # type: ignore[no-any-return]


class TransactionalRoute(GuardedRoute):
    """A guarded route (``shared.route_guard``: token, role, key, body form refused first, in
    that order) that runs in one transaction and honours ``Idempotency-Key``."""

    keys = True

    def guarded(self, handle: Callable[[Request], Awaitable[Response]], guard: Guard) -> Handler:
        action = self.name

        async def transactional_handler(request: Request) -> Response:
            database: Database = request.app.state.database
            request.state.audit_note = AuditNote()
            read_only = request.method in SAFE_METHODS
            async with database.read_session() if read_only else database.session() as session:
                request.state.session = session
                try:
                    await guard(request)  # refused (and audited) before anything is claimed
                    return await _run(request, session, handle, action)
                except BaseException as exc:
                    await session.rollback()
                    if request.method not in SAFE_METHODS:
                        await _audit_refusal(request, database, action, exc)
                    raise

        return transactional_handler


async def _run(
    request: Request,
    session: AsyncSession,
    handle: Callable[[Request], Awaitable[Response]],
    action: str,
) -> Response:
    claim: idempotency.Claim | None = None
    raw_key = request.headers.get(idempotency.IDEMPOTENCY_HEADER)
    if raw_key is not None and request.method == "POST":
        principal = await _principal_or_none(request)
        if principal is not None:  # a route that checks no role may still be called without one
            body = await request.body()
            claim = idempotency.Claim.of(
                principal, raw_key, request.method, request.url.path, request.url.query, body
            )
            replay = await idempotency.claim_or_replay(
                session, claim, request.method, request.url.path
            )
            if replay is not None:
                await session.rollback()
                return replay

    response = await handle(request)
    if response.status_code >= 400:
        await session.rollback()
        return response
    if request.method in SAFE_METHODS:
        return response  # a read has nothing to commit: closing the session ends it

    if claim is not None:
        await idempotency.store_response(session, claim, response)
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        note: AuditNote = request.state.audit_note
        await audit.append(
            session, _event(request, principal, action, note, "succeeded", response.status_code)
        )
    await session.commit()
    return response


async def _principal_or_none(request: Request) -> Principal | None:
    try:
        return await principal_of(request)
    except ProblemError:
        return None  # the route's own auth dependency will refuse it


def _event(
    request: Request,
    principal: Principal,
    action: str,
    note: AuditNote,
    outcome: str,
    status: int,
    extra: dict[str, object] | None = None,
) -> AuditEvent:
    object_id = note.object_id
    if object_id is None and request.path_params:
        object_id = ",".join(str(v) for v in request.path_params.values())
    return AuditEvent(
        actor=principal,
        request_id=current_request_id() or "",
        method=request.method,
        path=request.url.path,
        action=action,
        outcome=outcome,
        status_code=status,
        object_type=note.object_type,
        object_id=object_id,
        details={**note.details, **(extra or {})},
    )


def _classify(exc: BaseException) -> tuple[int, str, dict[str, object]] | None:
    """Status, outcome and audit details of a refusal; None for a cancelled request."""
    if isinstance(exc, RequestInvalid):
        return (
            exc.status,
            "rejected",
            {"problem": exc.type_uri, "fields": [e.field for e in exc.errors]},
        )
    if isinstance(exc, ProblemError):
        outcome = "failed" if exc.status >= 500 else "rejected"
        return exc.status, outcome, {"problem": exc.type_uri, "reason": exc.detail[:500]}
    if isinstance(exc, RequestValidationError):
        return (
            422,
            "rejected",
            {
                "problem": "validation-error",
                "fields": [".".join(map(str, e.get("loc", ()))) for e in exc.errors()],
            },
        )
    if isinstance(exc, IntegrityError):
        return 409, "rejected", {"problem": "conflict"}
    if isinstance(exc, Exception):
        return 500, "failed", {"error": type(exc).__name__}
    return None


async def _audit_refusal(
    request: Request, database: Database, action: str, exc: BaseException
) -> None:
    """Record who was refused what, and why, after the request's own work was rolled back."""
    principal = getattr(request.state, "principal", None)
    classified = _classify(exc)
    if principal is None or classified is None:
        return  # unauthenticated noise belongs in the logs, not the audit trail
    status, outcome, extra = classified
    try:
        async with database.session() as session:
            await audit.append(
                session,
                _event(
                    request, principal, action, request.state.audit_note, outcome, status, extra
                ),
            )
            await session.commit()
    except Exception:
        log.exception("audit_refusal_failed", action=action)
