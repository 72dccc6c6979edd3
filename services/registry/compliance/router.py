"""HTTP for a space's compliance records: incidents and listings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.compliance import service
from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.compliance.schemas import (
    IncidentCreate,
    IncidentFilters,
    IncidentOut,
    ListingCreate,
    ListingFilters,
    ListingOut,
    ListingRemoval,
)
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.facts import IncidentKind, ListKind
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}",
    tags=["compliance · 失信与事故记录"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


@router.post(
    "/incidents",
    status_code=status.HTTP_201_CREATED,
    response_model=IncidentOut,
    summary="Record an incident · 登记事故或违法失信行为 (kept as recorded)",
)
async def record_incident(
    space_id: uuid.UUID,
    body: IncidentCreate,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> ComplianceIncident:
    space, incident = await service.record_incident(session, principal, space_id, body)
    audit.about(
        "incident",
        incident.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        kind=incident.kind.value,
        severity=incident.severity.value,
    )
    return incident


@router.get("/incidents", response_model=Page[IncidentOut], summary="A space's incidents")
async def list_incidents(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[IncidentKind | None, Query()] = None,
) -> dict[str, Any]:
    filters = IncidentFilters(kind=kind)
    rows = await service.list_incidents(session, principal, space_id, filters, page)
    items, cursor = page_of(rows, page, lambda i: [i.created_at.isoformat(), str(i.id)])
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/listings",
    status_code=status.HTTP_201_CREATED,
    response_model=ListingOut,
    summary="Record a listing · 登记列入经营异常名录或严重违法失信名单",
)
async def record_listing(
    space_id: uuid.UUID,
    body: ListingCreate,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> ComplianceListing:
    space, listing = await service.record_listing(session, principal, space_id, body)
    audit.about(
        "listing",
        listing.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        list_kind=listing.list_kind.value,
    )
    return listing


@router.get("/listings", response_model=Page[ListingOut], summary="A space's listings")
async def list_listings(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    list_kind: Annotated[ListKind | None, Query()] = None,
    current: Annotated[
        bool | None, Query(description="true: not removed yet; false: removed")
    ] = None,
) -> dict[str, Any]:
    filters = ListingFilters(list_kind=list_kind, current=current)
    rows = await service.list_listings(session, principal, space_id, filters, page)
    items, cursor = page_of(rows, page, lambda x: [x.created_at.isoformat(), str(x.id)])
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/listings/{listing_id}/removal",
    response_model=ListingOut,
    summary="Record a removal from the list · 登记移出 (once; kept as recorded)",
    description=(
        "With an optional `reason` (移出原因) and `document_id`, a registry document of this "
        "space supporting it (another space's, or none, is a 422 naming the field); both are "
        "kept on the listing and shown in the listings."
    ),
    responses=problem_responses(409),
)
async def record_removal(
    space_id: uuid.UUID,
    listing_id: uuid.UUID,
    body: ListingRemoval,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> ComplianceListing:
    space, listing = await service.record_removal(session, principal, space_id, listing_id, body)
    audit.about(
        "listing",
        listing.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        removed_on=listing.removed_on.isoformat() if listing.removed_on else None,
        reason=listing.removal_reason,
        document_id=None if body.document_id is None else str(body.document_id),
    )
    return listing
