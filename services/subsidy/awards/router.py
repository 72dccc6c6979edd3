"""HTTP for awards and the worklist of proposed awards."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import award_deciders, award_requesters, readers, treasurers
from services.subsidy.awards import service
from services.subsidy.awards.models import AwardKind, AwardStatus, ProposalStatus, RequestStatus
from services.subsidy.awards.schemas import (
    AwardIn,
    AwardOut,
    AwardRequestIn,
    AwardRequestOut,
    ProposalConfirmation,
    ProposalOut,
    Reason,
    RequestDecision,
)
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.dependencies import get_registry
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.jurisdictions import JurisdictionCode
from shared.errors import problem_responses
from shared.idempotency import require_idempotency_key
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    tags=["awards · 奖补"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 428, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Registry = Annotated[RegistryClient, Depends(get_registry)]
Audit = Annotated[AuditNote, Depends(get_audit_note)]


@router.post(
    "/v1/awards",
    status_code=status.HTTP_201_CREATED,
    response_model=AwardOut,
    summary="Decide an award · 奖补决定",
    description=(
        "By the bureau or finance. Reserves the amount in the decision year's budget; nothing is "
        "payable until a second person approves. The registry is asked whether the space is "
        "recognised on `decided_on`: if it cannot be reached the award is refused with 503, "
        "never granted on a guess. A district officer does not decide (403): it requests an "
        "award with `POST /v1/award-requests`, which reserves nothing. Send an "
        "`Idempotency-Key`."
    ),
    responses=problem_responses(409, 503),
    dependencies=[Depends(require_idempotency_key)],
)
async def create_award(
    body: AwardIn,
    response: Response,
    session: Session,
    registry: Registry,
    principal: Annotated[Principal, Depends(award_deciders)],
    audit: Audit,
) -> AwardOut:
    award = await service.create(session, principal, registry, body)
    audit.about("award", award.id, space_id=str(award.space_id), amount_fen=award.amount_fen)
    response.headers["Location"] = f"/v1/awards/{award.id}"
    return await service.out(session, award)


@router.get("/v1/awards", response_model=Page[AwardOut], summary="List awards · 奖补列表")
async def list_awards(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    award_status: Annotated[AwardStatus | None, Query(alias="status")] = None,
    kind: Annotated[AwardKind | None, Query()] = None,
    fiscal_year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
) -> dict[str, Any]:
    filters = service.AwardFilters(
        space_id=space_id,
        status=award_status,
        kind=kind,
        fiscal_year=fiscal_year,
        jurisdiction_code=None if jurisdiction_code is None else jurisdiction_code.value,
    )
    rows = await service.list_page(session, principal, filters, page)
    items, cursor = page_of(rows, page, lambda a: [a.created_at.isoformat(), str(a.id)])
    return {"items": await service.outs(session, items), "next_cursor": cursor}


@router.get(
    "/v1/awards/{award_id}",
    response_model=AwardOut,
    summary="Read an award · 查看奖补",
    responses=problem_responses(404),
)
async def get_award(
    award_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> AwardOut:
    return await service.out(session, await service.get(session, principal, award_id))


@router.post(
    "/v1/awards/{award_id}/approval",
    response_model=AwardOut,
    summary="Approve an award (four-eyes) · 复核批准",
    description="By the bureau or finance, and never by the person who prepared it.",
    responses=problem_responses(404, 409),
)
async def approve_award(
    award_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> AwardOut:
    audit.about("award", award_id)
    return await service.out(session, await service.approve(session, principal, award_id))


@router.post(
    "/v1/awards/{award_id}/declination",
    response_model=AwardOut,
    summary="Decline a pending award · 不予批准",
    description="The reserved amount goes back to the year's budget.",
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def decline_award(
    award_id: uuid.UUID,
    body: Reason,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> AwardOut:
    audit.about("award", award_id, reason=body.reason)
    award = await service.decline(session, principal, award_id, body.reason)
    return await service.out(session, award)


@router.post(
    "/v1/awards/{award_id}/cancellation",
    response_model=AwardOut,
    summary="Cancel an award · 撤销奖补",
    description=(
        "Unsent payment instructions are cancelled and what was not paid goes back to the "
        "year's budget; instructions already sent finish (confirmed or failed) on their own. "
        "What was paid is recovered through a recovery case, not here."
    ),
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def cancel_award(
    award_id: uuid.UUID,
    body: Reason,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> AwardOut:
    audit.about("award", award_id, reason=body.reason)
    award = await service.locked(session, principal, award_id)
    await service.cancel(session, principal.subject, award, body.reason)
    return await service.out(session, award)


@router.get(
    "/v1/award-proposals",
    response_model=Page[ProposalOut],
    summary="Worklist of proposed awards · 待确认奖补",
    description="Awards the policy proposes when the registry reports a recognition, a "
    "national filing or an 优秀 assessment.",
)
async def list_proposals(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    proposal_status: Annotated[ProposalStatus | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    rows = await service.proposals_page(session, principal, proposal_status, page)
    items, cursor = page_of(rows, page, lambda p: [p.created_at.isoformat(), str(p.id)])
    return {
        "items": await service.proposal_outs(session, items),
        "next_cursor": cursor,
    }


@router.post(
    "/v1/award-proposals/{proposal_id}/confirmation",
    status_code=status.HTTP_201_CREATED,
    response_model=AwardOut,
    summary="Confirm a proposed award · 确认",
    description="Decides the award (as `POST /v1/awards` would); a second person approves it.",
    responses=problem_responses(404, 409, 503),
    dependencies=[Depends(require_idempotency_key)],
)
async def confirm_proposal(
    proposal_id: uuid.UUID,
    body: ProposalConfirmation,
    session: Session,
    registry: Registry,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> AwardOut:
    award = await service.confirm_proposal(session, principal, registry, proposal_id, body)
    audit.about("award_proposal", proposal_id, award_id=str(award.id))
    return await service.out(session, award)


@router.post(
    "/v1/award-proposals/{proposal_id}/declination",
    response_model=ProposalOut,
    summary="Decline a proposed award · 不予奖补",
    responses=problem_responses(404, 409),
)
async def decline_proposal(
    proposal_id: uuid.UUID,
    body: Reason,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> ProposalOut:
    audit.about("award_proposal", proposal_id, reason=body.reason)
    proposal = await service.decline_proposal(session, principal, proposal_id, body.reason)
    return await service.proposal_out(session, proposal)


@router.post(
    "/v1/award-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=AwardRequestOut,
    summary="Request an award · 奖补申请",
    description=(
        "The Measures give awards to the bureau: a district officer asks for one here, for a "
        "space of its own jurisdiction recognised today, and the request reserves nothing. The "
        "bureau or finance decides it (`POST /v1/award-requests/{id}/decision`, which reserves "
        "the budget) or declines it. The amount is what this year's policy gives (a capped "
        "kind: the amount asked, at most the cap). One open request of a kind per space and "
        "year. Send an `Idempotency-Key`."
    ),
    responses=problem_responses(409, 503),
    dependencies=[Depends(require_idempotency_key)],
)
async def request_award(
    body: AwardRequestIn,
    response: Response,
    session: Session,
    registry: Registry,
    principal: Annotated[Principal, Depends(award_requesters)],
    audit: Audit,
) -> AwardRequestOut:
    asked = await service.request(session, principal, registry, body)
    audit.about("award_request", asked.id, space_id=str(asked.space_id), kind=body.kind.value)
    response.headers["Location"] = f"/v1/award-requests/{asked.id}"
    return service.request_out(asked)


@router.get(
    "/v1/award-requests",
    response_model=Page[AwardRequestOut],
    summary="Awards requested · 奖补申请列表",
    description="A district sees its own jurisdiction's requests.",
)
async def list_requests(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = None,
    space_id: Annotated[uuid.UUID | None, Query()] = None,
) -> dict[str, Any]:
    filters = service.RequestFilters(status=request_status, space_id=space_id)
    rows = await service.requests_page(session, principal, filters, page)
    items, cursor = page_of(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)])
    return {"items": [service.request_out(r) for r in items], "next_cursor": cursor}


@router.get(
    "/v1/award-requests/{request_id}",
    response_model=AwardRequestOut,
    summary="Read an award request · 查看奖补申请",
    responses=problem_responses(404),
)
async def get_request(
    request_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> AwardRequestOut:
    return service.request_out(await service.get_request(session, principal, request_id))


@router.post(
    "/v1/award-requests/{request_id}/decision",
    status_code=status.HTTP_201_CREATED,
    response_model=AwardOut,
    summary="Decide a requested award · 奖补决定",
    description=(
        "By the bureau or finance: decides the award as `POST /v1/awards` would, reserving the "
        "budget; a second person approves it. A district's attempt is refused (403)."
    ),
    responses=problem_responses(404, 409, 503),
    dependencies=[Depends(require_idempotency_key)],
)
async def decide_request(
    request_id: uuid.UUID,
    body: RequestDecision,
    response: Response,
    session: Session,
    registry: Registry,
    principal: Annotated[Principal, Depends(award_deciders)],
    audit: Audit,
) -> AwardOut:
    award = await service.decide_request(session, principal, registry, request_id, body)
    audit.about("award_request", request_id, award_id=str(award.id), amount_fen=award.amount_fen)
    response.headers["Location"] = f"/v1/awards/{award.id}"
    return await service.out(session, award)


@router.post(
    "/v1/award-requests/{request_id}/declination",
    response_model=AwardRequestOut,
    summary="Decline a requested award · 不予奖补",
    description="By the bureau or finance, with the reason.",
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def decline_request(
    request_id: uuid.UUID,
    body: Reason,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Audit,
) -> AwardRequestOut:
    audit.about("award_request", request_id, reason=body.reason)
    declined = await service.decline_request(session, principal, request_id, body.reason)
    return service.request_out(declined)
