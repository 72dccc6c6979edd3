"""HTTP for spaces."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.spaces import service
from services.registry.spaces.schemas import SpaceCreate, SpaceFilters, SpaceOut
from services.registry.spaces.service import SpaceWithStatus
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces",
    tags=["spaces · 众创空间"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)


def space_out(view: SpaceWithStatus) -> SpaceOut:
    space = view.space
    return SpaceOut(
        id=space.id,
        name=space.name,
        jurisdiction_code=JurisdictionCode(space.jurisdiction_code),
        form=space.form,
        profile=space.profile,
        opened_on=space.opened_on,
        operator_id=space.operator_id,
        status=view.status,
        status_since=view.status_since,
        created_at=space.created_at,
        created_by=space.created_by,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SpaceOut,
    summary="Register a space · 登记众创空间",
    responses=problem_responses(409),
)
async def create_space(
    body: SpaceCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> SpaceOut:
    view = await service.create_space(session, principal, body)
    audit.about("space", view.space.id, jurisdiction=view.space.jurisdiction_code)
    response.headers["Location"] = f"{router.prefix}/{view.space.id}"
    return space_out(view)


@router.get("", response_model=Page[SpaceOut], summary="List spaces · 众创空间列表")
async def list_spaces(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
    form: Annotated[SpaceForm | None, Query()] = None,
    profile: Annotated[SpaceProfile | None, Query()] = None,
    space_status: Annotated[
        SpaceStatus | None, Query(alias="status", description="The status in force now")
    ] = None,
) -> dict[str, Any]:
    filters = SpaceFilters(
        jurisdiction_code=jurisdiction_code, form=form, profile=profile, status=space_status
    )
    rows = await service.list_spaces(session, principal, filters, page)
    items, cursor = page_of(
        rows, page, lambda view: [view.space.created_at.isoformat(), str(view.space.id)]
    )
    return {"items": [space_out(view) for view in items], "next_cursor": cursor}


@router.get(
    "/{space_id}",
    response_model=SpaceOut,
    summary="Read a space · 查看众创空间",
    responses=problem_responses(404),
)
async def get_space(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> SpaceOut:
    return space_out(await service.get_space_with_status(session, principal, space_id))
