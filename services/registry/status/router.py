"""HTTP for a space's status acts, its status history and its standing on a date."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers
from services.registry.spaces.models import Space
from services.registry.status import service
from services.registry.status.models import SpaceStatusChange
from services.registry.status.schemas import (
    RecognitionCreate,
    RectificationCreate,
    RectificationEndCreate,
    RevocationCreate,
    StatusChangeOut,
)
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.spaces import SpaceStanding
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.request_body import IsoDate
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}",
    tags=["status · 认定状态"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)

_ACT_NOTE = (
    "\n\nThe bureau (city_admin) only. A status that does not allow the act gives 409 "
    "naming the current status and the acts it allows. `effective_on` may not be in the "
    "future nor before the current status began. Send an `Idempotency-Key` so a retry "
    "records the act once."
)


def _audit(audit: AuditNote, space: Space, change: SpaceStatusChange) -> None:
    audit.about(
        "space_status",
        change.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        act=change.act.value,
        status=change.status.value,
        effective_on=change.effective_on.isoformat(),
        document_no=change.document_no,
    )


def _respond(response: Response, space: Space, audit: AuditNote, change: SpaceStatusChange) -> Any:
    _audit(audit, space, change)
    response.headers["Location"] = f"/v1/spaces/{space.id}/status-history"
    return change


@router.post(
    "/recognition",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusChangeOut,
    summary="Record a historical recognition · 补录认定 (before the procedure)",
    description="Records a recognition made BEFORE the recognition procedure came into force "
    "(the registry's `procedure_in_force_from`, 2026-12-01 by default), with its historical "
    "document number and date: an `effective_on` on or after that day is refused with 422. A "
    "new recognition is made only through the procedure (`POST /v1/applications` ... "
    "`POST /v1/recognitions`). applicant → recognised; also records the municipal level (市级) "
    "with the same document and date, and emits `space.recognised`." + _ACT_NOTE,
    responses=problem_responses(409),
)
async def recognise(
    space_id: uuid.UUID,
    body: RecognitionCreate,
    request: Request,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Any:
    in_force_from = request.app.state.settings.procedure_in_force_from
    space, change = await service.recognise_historical(
        session, principal, space_id, body, in_force_from
    )
    return _respond(response, space, audit, change)


@router.post(
    "/rectification",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusChangeOut,
    summary="Order rectification · 限期整改",
    description="recognised → under_rectification, e.g. after a failed annual assessment; the "
    "space stays a municipal maker space." + _ACT_NOTE,
    responses=problem_responses(409),
)
async def order_rectification(
    space_id: uuid.UUID,
    body: RectificationCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Any:
    space, change = await service.order_rectification(session, principal, space_id, body)
    return _respond(response, space, audit, change)


@router.post(
    "/rectification-end",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusChangeOut,
    summary="End rectification · 整改完成",
    description="under_rectification → recognised." + _ACT_NOTE,
    responses=problem_responses(409),
)
async def end_rectification(
    space_id: uuid.UUID,
    body: RectificationEndCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Any:
    space, change = await service.end_rectification(session, principal, space_id, body)
    return _respond(response, space, audit, change)


@router.post(
    "/revocation",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusChangeOut,
    summary="Revoke recognition · 取消认定",
    description="recognised or under_rectification → revoked (final); ends the municipal "
    "level on the same date and emits `space.revoked` (the subsidy service recovers funds "
    "when the reason is false_materials)." + _ACT_NOTE,
    responses=problem_responses(409),
)
async def revoke(
    space_id: uuid.UUID,
    body: RevocationCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Any:
    space, change = await service.revoke(session, principal, space_id, body)
    return _respond(response, space, audit, change)


@router.get(
    "/status-history",
    response_model=Page[StatusChangeOut],
    summary="A space's status history, oldest first · 认定状态记录",
)
async def status_history(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows = await service.history(session, principal, space_id, page)
    items, cursor = page_of(rows, page, lambda change: [change.seq])
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/standing",
    response_model=SpaceStanding,
    summary="A space's status and levels on a date · 认定状态与级别",
    description=(
        "The status and levels in force at the end of `as_of` (China time). Every space is "
        "`applicant` from its `opened_on` until recognised. `as_of` defaults to today; a date "
        "in the future or before the space opened is refused with 422."
    ),
)
async def get_standing(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    as_of: Annotated[
        IsoDate | None,
        Query(description="The date (China time); today if omitted"),
    ] = None,
) -> SpaceStanding:
    return await service.standing(session, principal, space_id, as_of)
