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
    RectificationOut,
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
    description="recognised → under_rectification, e.g. after a failed annual assessment (a "
    "recorded 不合格 result does this itself); the space stays a municipal maker space. Emits "
    "`space.rectification_ordered`." + _ACT_NOTE,
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
    description="under_rectification → recognised. Emits `space.rectification_ended`." + _ACT_NOTE,
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
    "when the reason is false_materials). The reason `failed_assessments` is refused (409) "
    "unless the space's results in force show two consecutive 不合格 years; the record then "
    "names both (a second consecutive 不合格 result revokes by itself)." + _ACT_NOTE,
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
        "`applicant` from its `opened_on` until recognised. On a date before `opened_on` the "
        "space did not exist as one: `opened` is false, the status `applicant` (from "
        "`opened_on`) and no level, so it was not recognised then. `as_of` defaults to today; "
        "a date in the future is refused with 422."
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


rectifications_router = APIRouter(
    prefix="/v1/rectifications",
    tags=["status · 认定状态"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)


@rectifications_router.get(
    "",
    response_model=Page[RectificationOut],
    summary="Spaces under rectification; overdue=true for a worklist · 限期整改（逾期）",
    description=(
        "The spaces under rectification now, earliest deadline first, each with the 不合格 "
        "result it follows from (if any). `overdue=true`: only those whose deadline (the last "
        "day to rectify) is before today in China, the bureau's and the district's worklist. A "
        "district officer sees its own jurisdiction's."
    ),
)
async def list_rectifications(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    overdue: Annotated[
        bool, Query(description="Only those past their deadline (China time)")
    ] = False,
) -> dict[str, Any]:
    today, rows, grounds = await service.rectifications(session, principal, overdue, page)
    items, cursor = page_of(rows, page, lambda row: [row[0].rectification_deadline, row[0].id])
    out = []
    for change, space in items:
        assert change.rectification_deadline is not None, "a rectification has its deadline"
        ground = grounds.get(change.id)
        late = max((today - change.rectification_deadline).days, 0)
        out.append(
            RectificationOut(
                space_id=space.id,
                space_name=space.name,
                jurisdiction_code=space.jurisdiction_code,
                status_change_id=change.id,
                effective_on=change.effective_on,
                document_no=change.document_no,
                deadline=change.rectification_deadline,
                overdue=late > 0,
                days_overdue=late,
                assessment_id=None if ground is None else ground[1].id,
                assessment_year=None if ground is None else ground[1].year,
            )
        )
    return {"items": out, "next_cursor": cursor}
