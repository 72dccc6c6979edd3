"""HTTP for a space's management service staff."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.spaces.models import Space
from services.registry.staff import service
from services.registry.staff.models import StaffMember
from services.registry.staff.schemas import StaffCreate, StaffDeparture, StaffFilters, StaffOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/staff",
    tags=["staff · 管理服务人员"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


def _audit(audit: AuditNote, space: Space, member: StaffMember, **details: Any) -> None:
    audit.about(
        "staff_member",
        member.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        **details,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffOut,
    summary="Record a staff member · 登记管理服务人员",
)
async def create_staff(
    space_id: uuid.UUID,
    body: StaffCreate,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> StaffMember:
    space, member = await service.create_staff(session, principal, space_id, body)
    _audit(audit, space, member)
    return member


@router.get("", response_model=Page[StaffOut], summary="A space's staff · 管理服务人员列表")
async def list_staff(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    serving: Annotated[
        bool | None, Query(description="true: no end date yet; false: departed")
    ] = None,
) -> dict[str, Any]:
    rows = await service.list_staff(
        session, principal, space_id, StaffFilters(serving=serving), page
    )
    items, cursor = page_of(rows, page, lambda m: [m.created_at.isoformat(), str(m.id)])
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/{staff_id}/departure",
    response_model=StaffOut,
    summary="Record a departure · 登记离职 (an end date, once; the record is kept)",
    description=(
        "With an optional `reason` and `document_id`, a registry document of this space "
        "supporting it (another space's, or none, is a 422 naming the field); both are kept "
        "on the member's record and shown in the staff list."
    ),
    responses=problem_responses(409),
)
async def record_departure(
    space_id: uuid.UUID,
    staff_id: uuid.UUID,
    body: StaffDeparture,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> StaffMember:
    space, member = await service.record_departure(session, principal, space_id, staff_id, body)
    _audit(
        audit,
        space,
        member,
        ended_on=body.ended_on.isoformat(),
        reason=body.reason,
        document_id=None if body.document_id is None else str(body.document_id),
    )
    return member
