"""HTTP for a space's activities."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.activities import service
from services.registry.activities.models import Activity, ActivityKind
from services.registry.activities.schemas import ActivityCreate, ActivityFilters, ActivityOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/activities",
    tags=["activities · 创业活动"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityOut,
    summary="Record an activity · 登记创业活动",
)
async def create_activity(
    space_id: uuid.UUID,
    body: ActivityCreate,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Activity:
    space, activity = await service.create_activity(session, principal, space_id, body)
    audit.about(
        "activity",
        activity.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        kind=activity.kind.value,
    )
    return activity


@router.get(
    "",
    response_model=Page[ActivityOut],
    summary="A space's activities, by date · 创业活动列表",
)
async def list_activities(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    year: Annotated[
        int | None, Query(ge=1949, le=9999, description="Calendar year held (China time)")
    ] = None,
    kind: Annotated[ActivityKind | None, Query()] = None,
) -> dict[str, Any]:
    filters = ActivityFilters(year=year, kind=kind)
    rows = await service.list_activities(session, principal, space_id, filters, page)
    items, cursor = page_of(rows, page, lambda a: [a.held_on.isoformat(), str(a.id)])
    return {"items": items, "next_cursor": cursor}
