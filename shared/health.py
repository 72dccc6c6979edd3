"""Liveness, readiness and metrics endpoints, the same in every service."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.db import Database
from shared.metrics import metrics_endpoint
from shared.migrate import current_revisions, head_revisions

router = APIRouter(tags=["ops · 运维"])


class Health(BaseModel):
    status: str
    service: str


class Readiness(BaseModel):
    status: str
    service: str
    database: str
    migrations: str
    detail: str | None = None


@router.get("/healthz", response_model=Health, summary="Process is up · 进程存活")
async def healthz(request: Request) -> Health:
    return Health(status="ok", service=request.app.state.settings.service_name)


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Database reachable and migrated · 就绪",
    responses={503: {"model": Readiness, "description": "Not ready"}},
)
async def readyz(request: Request) -> JSONResponse:
    service = request.app.state.settings.service_name
    database: Database = request.app.state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
            current = await current_revisions(connection, service)
    except Exception as exc:  # noqa: BLE001 - readiness reports, it does not raise
        body = Readiness(
            status="unavailable",
            service=service,
            database="unreachable",
            migrations="unknown",
            detail=f"database error: {type(exc).__name__}",
        )
        return JSONResponse(body.model_dump(), status_code=503)
    heads = head_revisions(service)
    if current != heads:
        body = Readiness(
            status="unavailable",
            service=service,
            database="ok",
            migrations="behind",
            detail=f"database at {sorted(current) or 'nothing'}"
            f", code expects {sorted(heads)}: run `make migrate`",
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(
        Readiness(status="ok", service=service, database="ok", migrations="at head").model_dump()
    )


router.add_api_route("/metrics", metrics_endpoint, include_in_schema=False)
