"""Builds a service's FastAPI app with the whole platform in place, the same way for all three."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from shared import audit_router, health, idempotency
from shared.auth.tokens import ServiceTokenProvider, TokenVerifier
from shared.background import stop as stop_background
from shared.background import stopping as background_stopping
from shared.db import Database
from shared.errors import (
    ProblemDetails,
    UnhandledErrorMiddleware,
    install_error_handlers,
    problem_responses,
)
from shared.http_client import ServiceClient, serving_clients
from shared.limits import BODY_LIMIT_EXTENSION, MAX_JSON_DEPTH, RequestLimitsMiddleware
from shared.logging import configure_logging
from shared.metrics import Metrics, RequestTelemetryMiddleware
from shared.request_id import RequestIdMiddleware
from shared.settings import BaseServiceSettings

# A service's clients of the other services, built when the app starts (keyed by the
# ``app.state`` attribute each is kept under).
ClientFactory = Callable[[FastAPI], Mapping[str, ServiceClient]]
# Work a service runs beside its requests for as long as it is up (e.g. delivering events);
# started once the database and clients are ready, cancelled when the app stops.
BackgroundTask = Callable[[FastAPI], Coroutine[Any, Any, None]]


def create_service_app(
    settings: BaseServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    clients: ClientFactory | None = None,
    state: Mapping[str, object] | None = None,
    background: Sequence[BackgroundTask] = (),
) -> FastAPI:
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = Database(
            settings.database_url,
            echo=settings.database_echo,
            ping_after_idle_seconds=settings.database_ping_after_idle_seconds,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        app.state.token_verifier = TokenVerifier(settings)
        app.state.service_token = ServiceTokenProvider(settings)
        try:
            await app.state.database.start()
            async with serving_clients(app, **(clients(app) if clients else {})):
                background_stopping(app).clear()
                tasks = [
                    asyncio.create_task(run(app)) for run in (*background, idempotency.keep_purging)
                ]
                try:
                    yield
                finally:
                    await stop_background(app, tasks)
        finally:
            await app.state.database.dispose()

    app = FastAPIOffline(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        redoc_url=None,  # ReDoc pulls web fonts from the internet; Swagger UI is enough
        static_url="/docs-static",
        responses=_platform_responses(),
        swagger_ui_parameters={
            "persistAuthorization": True,
            "displayRequestDuration": True,
            "showExtensions": True,  # each operation's body limit, x-max-body-bytes
        },
    )
    app.state.settings = settings
    for name, value in (state or {}).items():
        setattr(app.state, name, value)
    app.state.metrics = Metrics()
    install_error_handlers(app)

    app.include_router(health.router)
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router.router)

    # Added innermost first: the request id wraps everything, so every log line carries it.
    app.add_middleware(RequestLimitsMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestTelemetryMiddleware, metrics=app.state.metrics)
    app.add_middleware(RequestIdMiddleware)

    _publish_problem_schema(app, settings.max_body_bytes)
    return app


def _platform_responses() -> dict[int | str, dict[str, Any]]:
    """The problems any operation may answer, with the limits that cause them."""
    responses = problem_responses(400, 413, 500)
    responses[400]["description"] = (
        "Malformed request: a body that is not UTF-8, or JSON nesting arrays and objects more "
        f"than {MAX_JSON_DEPTH} levels deep (`body-too-deep`)"
    )
    responses[413]["description"] = (
        f"Body larger than the operation's limit (`{BODY_LIMIT_EXTENSION}`, 1 MiB unless stated)"
    )
    return responses


def _publish_problem_schema(app: FastAPI, max_body_bytes: int) -> None:
    """Put ``ProblemDetails`` in the contract's components, where every error response points,
    and each operation's body limit on every operation that takes a body."""
    build = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ProblemDetails",
            ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}"),
        )
        for name, sub in (
            ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
            .get("$defs", {})
            .items()
        ):
            components.setdefault(name, sub)
        components["ProblemDetails"].pop("$defs", None)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault(BODY_LIMIT_EXTENSION, max_body_bytes)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
