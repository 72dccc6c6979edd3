"""HTTP for recovery cases."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import readers, treasurers
from services.subsidy.recoveries import service
from services.subsidy.recoveries.models import CaseStatus
from services.subsidy.recoveries.schemas import (
    CaseOut,
    MisuseCaseIn,
    OffsetIn,
    RepaymentIn,
    WriteOffRequestIn,
)
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.idempotency import require_idempotency_key
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/recoveries",
    tags=["recoveries · 追回"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 428, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Treasurer = Annotated[Principal, Depends(treasurers)]
Audit = Annotated[AuditNote, Depends(get_audit_note)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Open a case for misused funds · 追回决定",
    description=(
        "The bureau's determination that funds were not used as required: the amount is "
        "claimed back from what was paid to the space, oldest award first, and never more "
        "than was paid (409). Cases for false materials open themselves when the registry "
        "reports the revocation. Send an `Idempotency-Key`."
    ),
    responses=problem_responses(409),
    dependencies=[Depends(require_idempotency_key)],
)
async def open_case(
    body: MisuseCaseIn, response: Response, session: Session, principal: Treasurer, audit: Audit
) -> CaseOut:
    case = await service.open_misuse_case(session, principal, body)
    audit.about("recovery_case", case.id, space_id=str(body.space_id), amount_fen=body.amount_fen)
    response.headers["Location"] = f"{router.prefix}/{case.id}"
    return await service.out(session, case)


@router.get("", response_model=Page[CaseOut], summary="List recovery cases · 追回列表")
async def list_cases(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    rows = await service.list_page(session, principal, page, space_id=space_id, status=case_status)
    items, cursor = page_of(rows, page, lambda c: [c.created_at.isoformat(), str(c.id)])
    return {"items": await service.outs(session, items), "next_cursor": cursor}


@router.get(
    "/{case_id}",
    response_model=CaseOut,
    summary="Read a recovery case · 查看追回",
    responses=problem_responses(404),
)
async def get_case(
    case_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> CaseOut:
    return await service.out(session, await service.get(session, principal, case_id))


@router.post(
    "/{case_id}/repayments",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Record a repayment · 登记退回",
    description="Partial repayments are allowed; more than is outstanding is refused (409).",
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def repay(
    case_id: uuid.UUID, body: RepaymentIn, session: Session, principal: Treasurer, audit: Audit
) -> CaseOut:
    audit.about("recovery_case", case_id, amount_fen=body.amount_fen, reference=body.reference)
    return await service.out(session, await service.repay(session, principal, case_id, body))


@router.post(
    "/{case_id}/offsets",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Offset against a tranche of the same operator · 抵扣",
    description=(
        "Settles part of the case with a tranche of another approved award of the same "
        "operator: the tranche counts as paid on that award and as recovered here, and no "
        "money moves. At most what is outstanding and what the award has left."
    ),
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def offset(
    case_id: uuid.UUID, body: OffsetIn, session: Session, principal: Treasurer, audit: Audit
) -> CaseOut:
    audit.about("recovery_case", case_id, award_id=str(body.award_id), amount_fen=body.amount_fen)
    return await service.out(session, await service.offset(session, principal, case_id, body))


@router.post(
    "/{case_id}/write-off-request",
    response_model=CaseOut,
    summary="Request a write-off · 申请核销",
    responses=problem_responses(404, 409),
)
async def request_write_off(
    case_id: uuid.UUID,
    body: WriteOffRequestIn,
    session: Session,
    principal: Treasurer,
    audit: Audit,
) -> CaseOut:
    audit.about("recovery_case", case_id, reason=body.reason)
    case = await service.request_write_off(session, principal, case_id, body.reason)
    return await service.out(session, case)


@router.post(
    "/{case_id}/write-off-approval",
    response_model=CaseOut,
    summary="Approve the write-off (four-eyes) · 批准核销",
    description="Writes off what is outstanding; never by the person who requested it.",
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def approve_write_off(
    case_id: uuid.UUID, session: Session, principal: Treasurer, audit: Audit
) -> CaseOut:
    audit.about("recovery_case", case_id)
    return await service.out(session, await service.approve_write_off(session, principal, case_id))
