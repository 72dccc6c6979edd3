"""HTTP for spaces."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.spaces import service
from services.registry.spaces.models import Space
from services.registry.spaces.schemas import SpaceCreate, SpaceFilters, SpaceOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces",
    tags=["spaces · 众创空间"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
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
) -> Space:
    space = await service.create_space(session, principal, body)
    audit.about("space", space.id, jurisdiction=space.jurisdiction_code)
    response.headers["Location"] = f"{router.prefix}/{space.id}"
    return space


@router.get("", response_model=Page[SpaceOut], summary="List spaces · 众创空间列表")
async def list_spaces(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
    form: Annotated[SpaceForm | None, Query()] = None,
    profile: Annotated[SpaceProfile | None, Query()] = None,
) -> dict[str, Any]:
    filters = SpaceFilters(jurisdiction_code=jurisdiction_code, form=form, profile=profile)
    rows = await service.list_spaces(session, principal, filters, page)
    items, cursor = page_of(rows, page, lambda space: [space.created_at.isoformat(), str(space.id)])
    return {"items": items, "next_cursor": cursor}


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
) -> Space:
    return await service.get_space(session, principal, space_id)
