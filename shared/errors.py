"""RFC 9457 problem+json for every error a caller can see.

Domain errors are typed exceptions carrying a stable ``type``; one set of handlers turns
them, request validation failures, unknown routes and unexpected crashes into problem
documents. No stack trace or SQL text ever leaves the process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.request_id import current_request_id
from shared.text import unstorable_character

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:lzms:problem:"

log = structlog.get_logger(__name__)


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is, e.g. body.premises.service_area_m2")
    message: str
    type: str


class ProblemDetails(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str = Field(examples=[PROBLEM_TYPE_PREFIX + "not-found"])
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to change")
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


class ProblemError(Exception):
    """Base of every error that becomes a problem document."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPE_PREFIX + self.slug


class MalformedBody(ProblemError):
    status, slug, title = 400, "malformed-body", "The request body could not be read"


class BodyTooDeep(MalformedBody):
    """JSON nested deeper than the platform reads (``shared.limits.MAX_JSON_DEPTH``)."""

    slug, title = "body-too-deep", "The request body is nested too deeply"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(
            detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, **extensions
        )


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(ProblemError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflicts with the current state"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnprocessableRequest(ProblemError):
    """A well-formed request the rules refuse (422)."""

    status, slug, title = 422, "unprocessable", "Request refused by the rules"


class RequestInvalid(ProblemError):
    status, slug, title = 422, "validation-error", "Request is invalid"

    def __init__(self, detail: str, errors: list[FieldError]) -> None:
        super().__init__(detail)
        self.errors = errors


class UpstreamUnavailable(ProblemError):
    status, slug, title = 503, "upstream-unavailable", "A service this depends on is unavailable"


class UpstreamFailed(ProblemError):
    status, slug, title = 502, "upstream-failed", "A service this depends on answered with an error"


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "unavailable", "Service unavailable"


_STATUS_PROBLEMS: dict[int, type[ProblemError]] = {
    cls.status: cls
    for cls in (
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
    )
}


def problem_response(
    request_path: str | None,
    *,
    status: int,
    type_uri: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_uri,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request_path,
        "request_id": current_request_id(),
    }
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE
    )


def response_for(error: ProblemError, path: str | None) -> JSONResponse:
    extensions = dict(error.extensions)
    if isinstance(error, RequestInvalid):
        extensions["errors"] = [e.model_dump() for e in error.errors]
    return problem_response(
        path,
        status=error.status,
        type_uri=error.type_uri,
        title=error.title,
        detail=error.detail,
        headers=error.headers,
        **extensions,
    )


def _field_path(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _message(err: Mapping[str, Any]) -> str:
    if err.get("type") == "string_unicode" and isinstance(err.get("input"), str):
        # Pydantic's words ("unable to parse raw data as a unicode string") name no character.
        return unstorable_character(err["input"]) or str(err.get("msg", "invalid"))
    return str(err.get("msg", "invalid"))


def validation_problem(exc: RequestValidationError) -> RequestInvalid:
    errors = [
        FieldError(
            field=_field_path(err.get("loc", ())),
            message=_message(err),
            type=err.get("type", "value_error"),
        )
        for err in exc.errors()
    ]
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    noun = "field is" if len(errors) == 1 else "fields are"
    return RequestInvalid(
        f"{len(errors)} {noun} invalid; correct and resend: {listed}{more}", errors
    )


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def allowed_methods(app: FastAPI, path: str) -> str | None:
    """Every method the contract offers on ``path`` (for a 405's ``Allow``), or None if none.

    The router names only the methods of the first route that matched the path; a resource
    served by several routes (``GET`` and ``POST /v1/spaces``) has them all, as the contract says.
    Where a literal path and a template both match (``/v1/spaces/export`` and
    ``/v1/spaces/{space_id}``), the resource is the one with fewer parameters.
    """
    table: list[tuple[int, re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "allow_table", None
    )
    if table is None:
        table = []
        for template, operations in app.openapi().get("paths", {}).items():
            parts = re.split(r"(\{[^}]+\})", template)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            methods = {m.upper() for m in operations if m in _HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            parameters = sum(p.startswith("{") for p in parts)
            table.append((parameters, re.compile(f"^{pattern}$"), frozenset(methods)))
        app.state.allow_table = table
    matches = [(parameters, methods) for parameters, regex, methods in table if regex.match(path)]
    if not matches:
        return None
    fewest = min(parameters for parameters, _ in matches)
    found = set().union(*(methods for parameters, methods in matches if parameters == fewest))
    return ", ".join(sorted(found)) or None


def install_error_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return response_for(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return response_for(validation_problem(exc), request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        cls = _STATUS_PROBLEMS.get(exc.status_code)
        headers = exc.headers
        if exc.status_code == 400:
            problem = MalformedBody(
                "The body could not be decoded: send UTF-8 JSON with "
                "'Content-Type: application/json'"
            )
            return response_for(problem, request.url.path)
        if exc.status_code == 404:
            detail = f"No such resource: {request.method} {request.url.path}; see /docs for the API"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs"
            allowed = allowed_methods(request.app, request.url.path)
            if allowed:
                headers = {**(headers or {}), "Allow": allowed}
        else:
            detail = str(exc.detail)
        if cls is None:
            return problem_response(
                request.url.path,
                status=exc.status_code,
                type_uri=PROBLEM_TYPE_PREFIX + "http-error",
                title="HTTP error",
                detail=detail,
                headers=headers,
            )
        return response_for(cls(detail, headers=headers), request.url.path)

    async def on_integrity(request: Request, exc: Exception) -> JSONResponse:
        # The database refused a write the application did not foresee; never echo its SQL.
        log.warning("integrity_error", error_class=type(exc.__cause__ or exc).__name__)
        return response_for(
            Conflict(
                "The request conflicts with records already stored (a duplicate or a "
                "reference to something that does not exist); nothing was changed"
            ),
            request.url.path,
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)


class UnhandledErrorMiddleware:
    """Turns any escaped exception into a 500 problem that names the request id, and logs it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            kind = "database_error" if isinstance(exc, DBAPIError) else "unhandled_error"
            log.exception(kind, path=scope.get("path"), method=scope.get("method"))
            if started:
                raise
            response = problem_response(
                scope.get("path"),
                status=500,
                type_uri=PROBLEM_TYPE_PREFIX + "internal-error",
                title="Internal error",
                detail="The service failed to handle this request and changed nothing; "
                "report the request_id to the operators if it persists",
            )
            await response(scope, receive, send)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries so the OpenAPI contract lists a route's problem documents."""
    descriptions = {
        400: "Malformed request",
        401: "Missing, invalid or expired token",
        403: "Your role may not do this",
        404: "No such object within your jurisdiction",
        409: "Conflicts with the current state",
        412: "Stale If-Match",
        413: "Body too large",
        422: "Invalid input or refused by the rules",
        500: "Internal error; nothing was changed",
        502: "Upstream service error",
        503: "Upstream service unavailable",
    }
    return {
        status: {
            "description": descriptions.get(status, "Error"),
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
            },
        }
        for status in statuses
    }
