"""HTTP for spaces."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers, writers
from services.registry.operators.schemas import SearchText
from services.registry.spaces import service
from services.registry.spaces.models import SpaceJurisdictionChange, SpaceVersion
from services.registry.spaces.schemas import (
    JurisdictionChangeCreate,
    JurisdictionChangeOut,
    SpaceCreate,
    SpaceFilters,
    SpaceOut,
    SpaceUpdate,
    SpaceVersionOut,
)
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

_update_responses = problem_responses(404, 409, 412, 428)
_update_responses[428]["description"] = "If-Match missing: send the ETag you read"
_move_responses = problem_responses(404, 409, 412)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag of the version you read, e.g. "3" (required; 428 without)',
    ),
]


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
        address=space.address,
        version=space.version,
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
    response.headers["ETag"] = service.etag_for(view.space.version)
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
    q: Annotated[
        SearchText | None,
        Query(
            description="Part of the name, e.g. 西软 (Chinese or Latin; Latin letters in any "
            "case; % and _ are characters, not wildcards). Within your jurisdiction, with the "
            "other filters and the pages"
        ),
    ] = None,
) -> dict[str, Any]:
    filters = SpaceFilters(
        jurisdiction_code=jurisdiction_code, form=form, profile=profile, status=space_status, q=q
    )
    items, cursor = await service.list_page(session, principal, filters, page)
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
    response: Response,
    principal: Annotated[Principal, Depends(readers)],
) -> SpaceOut:
    space = await service.read_space(session, principal, space_id)
    response.headers["ETag"] = service.etag_for(space.version)
    return space


@router.patch(
    "/{space_id}",
    response_model=SpaceOut,
    summary="Correct a space · 更正众创空间 (a new version; the old one is kept)",
    description=(
        "Only the fields sent change (name, address, form, profile, opened_on, operator_id), "
        "each checked as on registration; null is refused (omit a field to keep it). "
        "District officers for their own jurisdiction's spaces, the bureau for all. Send "
        "If-Match with the ETag you read: 428 without it, 412 (with the current ETag) when "
        "someone changed the space since. opened_on may not be after any record dated from "
        "it (409 naming the record). A correction that changes nothing adds no version. "
        "The jurisdiction is changed by the bureau's act, POST .../jurisdiction-changes."
    ),
    responses=_update_responses,
)
async def update_space(
    space_id: uuid.UUID,
    body: SpaceUpdate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
    if_match: IfMatch = None,
) -> SpaceOut:
    change = await service.update_space(session, principal, space_id, body, if_match)
    space = change.space
    audit.about(
        "space",
        space.id,
        jurisdiction=space.jurisdiction_code,
        version=space.version,
        changed=list(change.changed),
    )
    response.headers["ETag"] = service.etag_for(space.version)
    return space_out(await service.get_space_with_status(session, principal, space.id))


@router.get(
    "/{space_id}/versions",
    response_model=Page[SpaceVersionOut],
    summary="A space's history, oldest first · 众创空间变更记录",
    responses=problem_responses(404),
)
async def list_space_versions(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows: list[SpaceVersion] = list(await service.list_versions(session, principal, space_id, page))
    items, cursor = page_of(rows, page, lambda version: [version.version])
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/{space_id}/jurisdiction-changes",
    status_code=status.HTTP_201_CREATED,
    response_model=JurisdictionChangeOut,
    summary="Move a space to another jurisdiction · 属地变更 (the bureau)",
    description=(
        "The bureau (city_admin) only. From `effective_on` (not in the future, not before the "
        "space opened, not before its last move) the space is managed by the new "
        "jurisdiction: statistics for that day and later count it and its teams there, "
        "earlier days in the old one. The old jurisdiction's officers no longer see it. "
        "The space's operator must be in the new jurisdiction, or 409 names the operator's "
        "jurisdiction; `operator_id` names an operator of the new jurisdiction to run it "
        "instead. The move is a new version of the space (If-Match optional, checked when "
        "sent) and is audited. Emits `space.moved` (from, to, date, document) in the same "
        "transaction: the subsidy service then shows the space's money to the new "
        "jurisdiction only."
    ),
    responses=_move_responses,
)
async def change_jurisdiction(
    space_id: uuid.UUID,
    body: JurisdictionChangeCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
    if_match: Annotated[
        str | None, Header(alias="If-Match", description="Optional: the ETag you read")
    ] = None,
) -> SpaceJurisdictionChange:
    space, change = await service.change_jurisdiction(session, principal, space_id, body, if_match)
    audit.about(
        "space_jurisdiction_change",
        change.id,
        jurisdiction=change.to_code,
        space_id=str(space.id),
        from_code=change.from_code,
        to_code=change.to_code,
        effective_on=change.effective_on.isoformat(),
        document_no=change.document_no,
        reason=change.reason,
        operator_id_before=str(change.operator_id_before) if change.operator_id_before else None,
        operator_id_after=str(change.operator_id_after) if change.operator_id_after else None,
        version=space.version,
    )
    response.headers["Location"] = f"{router.prefix}/{space.id}/jurisdiction-changes"
    response.headers["ETag"] = service.etag_for(space.version)
    return change


@router.get(
    "/{space_id}/jurisdiction-changes",
    response_model=Page[JurisdictionChangeOut],
    summary="A space's moves between jurisdictions, oldest first · 属地变更记录",
    responses=problem_responses(404),
)
async def list_jurisdiction_changes(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows = await service.list_jurisdiction_changes(session, principal, space_id, page)
    items, cursor = page_of(rows, page, lambda change: [change.seq])
    return {"items": items, "next_cursor": cursor}
