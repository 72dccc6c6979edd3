"""HTTP for payment instructions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import readers, treasurers
from services.subsidy.awards.schemas import Reason
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.dependencies import get_registry
from services.subsidy.disbursements import service
from services.subsidy.disbursements.models import Disbursement
from services.subsidy.disbursements.schemas import (
    ConfirmIn,
    DisbursementIn,
    DisbursementOut,
    SendIn,
)
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.idempotency import require_idempotency_key
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    tags=["disbursements · 拨付"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 428, 404, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Treasurer = Annotated[Principal, Depends(treasurers)]
Audit = Annotated[AuditNote, Depends(get_audit_note)]


@router.post(
    "/v1/awards/{award_id}/disbursements",
    status_code=status.HTTP_201_CREATED,
    response_model=DisbursementOut,
    summary="Instruct a tranche · 生成拨付指令",
    description=(
        "Creates a payment instruction with its identity fixed before it is sent, reserving "
        "the amount from what the award has left (never more than the award in total: 409). "
        "The award must be approved and the space not revoked (the registry is asked; 503 if "
        "it cannot be). Send an `Idempotency-Key`: a retry returns the same instruction."
    ),
    responses=problem_responses(409, 503),
    dependencies=[Depends(require_idempotency_key)],
)
async def create_disbursement(
    award_id: uuid.UUID,
    body: DisbursementIn,
    response: Response,
    session: Session,
    registry: Annotated[RegistryClient, Depends(get_registry)],
    principal: Treasurer,
    audit: Audit,
) -> Disbursement:
    instruction = await service.create(session, principal, registry, award_id, body)
    audit.about("disbursement", instruction.id, award_id=str(award_id), amount_fen=body.amount_fen)
    response.headers["Location"] = f"/v1/disbursements/{instruction.id}"
    return instruction


@router.get(
    "/v1/awards/{award_id}/disbursements",
    response_model=list[DisbursementOut],
    summary="An award's tranches · 拨付明细",
)
async def list_disbursements(
    award_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> Sequence[Disbursement]:
    return await service.of_award(session, principal, award_id)


@router.get(
    "/v1/disbursements/{disbursement_id}",
    response_model=DisbursementOut,
    summary="Read a payment instruction · 查看拨付指令",
)
async def get_disbursement(
    disbursement_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
) -> Disbursement:
    return await service.get(session, principal, disbursement_id)


@router.post(
    "/v1/disbursements/{disbursement_id}/sending",
    response_model=DisbursementOut,
    summary="Mark sent to the bank · 已发送",
    responses=problem_responses(409),
)
async def send_disbursement(
    disbursement_id: uuid.UUID, body: SendIn, session: Session, principal: Treasurer, audit: Audit
) -> Disbursement:
    audit.about("disbursement", disbursement_id)
    return await service.send(session, principal, disbursement_id, body)


@router.post(
    "/v1/disbursements/{disbursement_id}/confirmation",
    response_model=DisbursementOut,
    summary="Confirm arrival · 确认到账",
    responses=problem_responses(409),
    dependencies=[Depends(require_idempotency_key)],
)
async def confirm_disbursement(
    disbursement_id: uuid.UUID,
    body: ConfirmIn,
    session: Session,
    principal: Treasurer,
    audit: Audit,
) -> Disbursement:
    audit.about("disbursement", disbursement_id, bank_reference=body.bank_reference)
    return await service.confirm(session, principal, disbursement_id, body)


@router.post(
    "/v1/disbursements/{disbursement_id}/failure",
    response_model=DisbursementOut,
    summary="Record a failed payment · 支付失败",
    description="Final for this instruction: the amount returns to the award, and a retry is "
    "a new instruction.",
    responses=problem_responses(409),
    dependencies=[Depends(require_idempotency_key)],
)
async def fail_disbursement(
    disbursement_id: uuid.UUID, body: Reason, session: Session, principal: Treasurer, audit: Audit
) -> Disbursement:
    audit.about("disbursement", disbursement_id, reason=body.reason)
    return await service.fail(session, principal, disbursement_id, body.reason)


@router.post(
    "/v1/disbursements/{disbursement_id}/cancellation",
    response_model=DisbursementOut,
    summary="Cancel an unsent instruction · 取消拨付指令",
    responses=problem_responses(409),
    dependencies=[Depends(require_idempotency_key)],
)
async def cancel_disbursement(
    disbursement_id: uuid.UUID, body: Reason, session: Session, principal: Treasurer, audit: Audit
) -> Disbursement:
    audit.about("disbursement", disbursement_id, reason=body.reason)
    return await service.cancel(session, principal, disbursement_id, body.reason)
