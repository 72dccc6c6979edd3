"""HTTP for applications for recognition (认定申报) and the steps of their procedure."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import (
    application_filers,
    application_readers,
    application_returners,
    bureau,
    bureau_and_auditors,
    experts,
)
from services.registry.applications import service
from services.registry.applications.models import (
    Application,
    ApplicationAction,
    ApplicationState,
)
from services.registry.applications.repository import Filters
from services.registry.applications.schemas import (
    ApplicationCreate,
    ApplicationOut,
    Correction,
    Decision,
    ExpertAssignment,
    ExpertReview,
    JointOpinion,
    ObjectionCreate,
    ObjectionOut,
    ObjectionResolutionCreate,
    Opinion,
    PublicityClose,
    PublicityCreate,
    PublicityOut,
    RecognitionBatchCreate,
    RecognitionBatchOut,
    RecognitionPreview,
    ReEvaluationRequest,
    StepOut,
    Submission,
    Withdrawal,
)
from services.registry.clients.eligibility import EligibilityClient
from services.registry.spaces.models import Space
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.jurisdictions import JurisdictionCode
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.request_body import IsoDate
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/applications",
    tags=["applications · 认定申报"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)

Session = Annotated[AsyncSession, Depends(get_session)]
Audit = Annotated[AuditNote, Depends(get_audit_note)]
_STEP = (
    "\n\nA state that does not allow the step gives 409 naming the current state and the "
    "steps it allows; another district's application is the same 404 as an unknown one. Send "
    "an `Idempotency-Key` so a retry records the step once."
)
_step_responses = problem_responses(404, 409)


async def get_eligibility(request: Request) -> EligibilityClient:
    client: EligibilityClient = request.app.state.eligibility_client
    return client


Eligibility = Annotated[EligibilityClient, Depends(get_eligibility)]


class WaitingFor(StrEnum):
    ME = "me"


async def _answer(
    session: AsyncSession,
    audit: AuditNote,
    found: tuple[Application, Space],
    action: ApplicationAction,
) -> ApplicationOut:
    application, space = found
    audit.about(
        "application",
        application.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        action=action.value,
        state=application.state.value,
    )
    return await service.out(session, application, space)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="File a draft application · 起草认定申报",
    description="The space's district files it for the operator (district_officer of the "
    "space's jurisdiction). At most one open application per space: another is a 409 until "
    "the open one is recognised, rejected or withdrawn.",
    responses=problem_responses(404, 409),
)
async def create_application(
    body: ApplicationCreate,
    response: Response,
    session: Session,
    principal: Annotated[Principal, Depends(application_filers)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.create(session, principal, body)
    response.headers["Location"] = f"/v1/applications/{found[0].id}"
    return await _answer(session, audit, found, ApplicationAction.CREATE)


@router.get(
    "",
    response_model=Page[ApplicationOut],
    summary="Applications · 认定申报列表",
    description="Newest last. A district sees its own jurisdiction's, an expert the ones "
    "assigned to them. `waiting_for=me` is the caller's worklist: a district's drafts and "
    "applications awaiting 初审; the bureau's awaiting 受理, expert assignment, the joint "
    "opinion, the decision, publicity or recognition; an expert's reviews lacking their "
    "opinion. `overdue=true`: those with a step's legal clock past its due date.",
)
async def list_applications(
    session: Session,
    principal: Annotated[Principal, Depends(application_readers)],
    page: Annotated[PageParams, Depends(page_params)],
    state: Annotated[ApplicationState | None, Query()] = None,
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    date_from: Annotated[
        IsoDate | None, Query(description="申报日 on or after (YYYY-MM-DD)")
    ] = None,
    date_to: Annotated[
        IsoDate | None, Query(description="申报日 on or before (YYYY-MM-DD)")
    ] = None,
    waiting_for: Annotated[
        WaitingFor | None, Query(description="me: the caller's worklist")
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(description="true: only those with a legal clock past its due date (China time)"),
    ] = None,
) -> dict[str, Any]:
    filters = Filters(
        state=state,
        jurisdiction_code=jurisdiction_code.value if jurisdiction_code else None,
        space_id=space_id,
        date_from=date_from,
        date_to=date_to,
        ids=await service.overdue_ids(session) if overdue else None,
    )
    if waiting_for is WaitingFor.ME:
        filters = service.worklist_filters(principal, filters)
    rows = await service.list_page(session, principal, filters, page)
    items, cursor = page_of(rows, page, lambda row: [row[0].created_at.isoformat(), str(row[0].id)])
    return {
        "items": [await service.out(session, app, space) for app, space in items],
        "next_cursor": cursor,
    }


@router.get(
    "/{application_id}",
    response_model=ApplicationOut,
    summary="An application · 认定申报",
    responses=problem_responses(404),
)
async def get_application(
    application_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(application_readers)],
) -> ApplicationOut:
    application, space = await service.get(session, principal, application_id)
    return await service.out(session, application, space)


@router.get(
    "/{application_id}/steps",
    response_model=Page[StepOut],
    summary="An application's steps, oldest first · 办理记录",
    description="Every step ever taken; those of a round before a return for correction "
    "(补正) are shown `superseded`.",
    responses=problem_responses(404),
)
async def list_steps(
    application_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(application_readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows = await service.steps(session, principal, application_id, page)
    items, cursor = page_of(rows, page, lambda step: [step.seq])
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/{application_id}/submit",
    response_model=ApplicationOut,
    summary="Submit · 申报",
    description="draft → submitted, by the space's district. The space's facts as of the "
    "application date are judged by the eligibility service; its receipt id, ruleset hash, "
    "verdict and the criteria left needs_review are kept. The eligibility service unreachable "
    "is a 503 and nothing is recorded." + _STEP,
    responses=problem_responses(404, 409, 502, 503),
)
async def submit(
    application_id: uuid.UUID,
    body: Submission,
    session: Session,
    principal: Annotated[Principal, Depends(application_filers)],
    eligibility: Eligibility,
    audit: Audit,
) -> ApplicationOut:
    found = await service.submit(session, principal, eligibility, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.SUBMIT)


@router.post(
    "/{application_id}/recommend",
    response_model=ApplicationOut,
    summary="Preliminary review: recommend · 初审推荐",
    description="submitted → recommended, by the space's district, with its written recommendation."
    + _STEP,
    responses=_step_responses,
)
async def recommend_application(
    application_id: uuid.UUID,
    body: Opinion,
    session: Session,
    principal: Annotated[Principal, Depends(application_filers)],
    audit: Audit,
) -> ApplicationOut:
    action = ApplicationAction.RECOMMEND
    found = await service.simple_step(session, principal, application_id, action, body)
    return await _answer(session, audit, found, action)


@router.post(
    "/{application_id}/reject",
    response_model=ApplicationOut,
    summary="Preliminary review: reject · 初审不予推荐",
    description="submitted → rejected (final; a new application may follow), by the "
    "space's district." + _STEP,
    responses=_step_responses,
)
async def reject_application(
    application_id: uuid.UUID,
    body: Opinion,
    session: Session,
    principal: Annotated[Principal, Depends(application_filers)],
    audit: Audit,
) -> ApplicationOut:
    action = ApplicationAction.REJECT
    found = await service.simple_step(session, principal, application_id, action, body)
    return await _answer(session, audit, found, action)


@router.post(
    "/{application_id}/accept",
    response_model=ApplicationOut,
    summary="Accept · 受理",
    description="recommended → accepted, by the bureau." + _STEP,
    responses=_step_responses,
)
async def accept_application(
    application_id: uuid.UUID,
    body: Opinion,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ApplicationOut:
    action = ApplicationAction.ACCEPT
    found = await service.simple_step(session, principal, application_id, action, body)
    return await _answer(session, audit, found, action)


@router.post(
    "/{application_id}/refuse",
    response_model=ApplicationOut,
    summary="Refuse to accept · 不予受理",
    description="recommended → rejected (final), by the bureau, with the reason." + _STEP,
    responses=_step_responses,
)
async def refuse_application(
    application_id: uuid.UUID,
    body: Opinion,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ApplicationOut:
    action = ApplicationAction.REFUSE
    found = await service.simple_step(session, principal, application_id, action, body)
    return await _answer(session, audit, found, action)


@router.post(
    "/{application_id}/return",
    response_model=ApplicationOut,
    summary="Return for correction · 退回补正",
    description="Back to draft, saying what to correct: by the district from submitted (初审), "
    "by the bureau from recommended, accepted or under_review. Everything recorded before is "
    "kept and shown superseded; the next submission is judged afresh." + _STEP,
    responses=_step_responses,
)
async def return_for_correction(
    application_id: uuid.UUID,
    body: Correction,
    session: Session,
    principal: Annotated[Principal, Depends(application_returners)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.return_for_correction(session, principal, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.RETURN)


@router.post(
    "/{application_id}/experts",
    response_model=ApplicationOut,
    summary="Assign experts · 组织专家复审",
    description="accepted or under_review → under_review, by the bureau. Each expert named "
    "(role expert) may then read the space's records while the review lasts." + _STEP,
    responses=_step_responses,
)
async def assign_experts(
    application_id: uuid.UUID,
    body: ExpertAssignment,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.assign_experts(session, principal, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.ASSIGN_EXPERTS)


@router.post(
    "/{application_id}/expert-reviews",
    response_model=ApplicationOut,
    summary="Record an on-site inspection and opinion · 专家现场考察与评审意见",
    description="By an expert assigned to this round's review (403 otherwise; 404 for an "
    "expert never assigned): the inspection's date and findings, the opinion, and a judgement "
    "on every criterion the submission's evaluation left needs_review (422 naming any "
    "missing). Once per expert and round." + _STEP,
    responses=_step_responses,
)
async def record_expert_review(
    application_id: uuid.UUID,
    body: ExpertReview,
    session: Session,
    principal: Annotated[Principal, Depends(experts)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.record_expert_review(session, principal, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.EXPERT_REVIEW)


@router.post(
    "/{application_id}/joint-opinion",
    response_model=ApplicationOut,
    summary="Record the joint review opinion · 联合评审意见",
    description="By the bureau: the views of 市科技局, 市发改委, 市人社局 and 市工信委 (all four) "
    "and the joint opinion. Once per round." + _STEP,
    responses=_step_responses,
)
async def record_joint_opinion(
    application_id: uuid.UUID,
    body: JointOpinion,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.record_joint_opinion(session, principal, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.JOINT_OPINION)


@router.post(
    "/{application_id}/re-evaluation",
    response_model=ApplicationOut,
    summary="Evaluate again on current facts · 按现时事实重新判定",
    description="By the bureau during review: the space's facts as of today (China time) are "
    "judged again and shown in `re_evaluation` beside the submission's, with what changed." + _STEP,
    responses=problem_responses(404, 409, 502, 503),
)
async def re_evaluate(
    application_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    eligibility: Eligibility,
    audit: Audit,
    body: ReEvaluationRequest | None = None,
) -> ApplicationOut:
    as_of = body.as_of if body else None
    found = await service.re_evaluate(session, principal, eligibility, application_id, as_of)
    return await _answer(session, audit, found, ApplicationAction.RE_EVALUATION)


@router.post(
    "/{application_id}/decision",
    response_model=ApplicationOut,
    summary="Decide at the bureau's meeting · 局务会审定",
    description="under_review → approved or rejected, by the bureau, with the meeting's date "
    "and minutes number. Refused (409) while an assigned expert has not recorded a review "
    "with every needs_review criterion judged, or the joint opinion is missing." + _STEP,
    responses=_step_responses,
)
async def decide(
    application_id: uuid.UUID,
    body: Decision,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.decide(session, principal, application_id, body)
    return await _answer(session, audit, found, ApplicationAction.DECISION)


@router.post(
    "/{application_id}/withdraw",
    response_model=ApplicationOut,
    summary="Withdraw · 撤回",
    description="→ withdrawn (final), by the space's district, at any time before the "
    "decision (审定). The history is kept; a new application may follow." + _STEP,
    responses=_step_responses,
)
async def withdraw(
    application_id: uuid.UUID,
    body: Withdrawal,
    session: Session,
    principal: Annotated[Principal, Depends(application_filers)],
    audit: Audit,
) -> ApplicationOut:
    found = await service.simple_step(
        session, principal, application_id, ApplicationAction.WITHDRAW, body
    )
    return await _answer(session, audit, found, ApplicationAction.WITHDRAW)


@router.get(
    "/{application_id}/objections",
    response_model=list[ObjectionOut],
    summary="Objections to an application · 异议",
    responses=problem_responses(404),
)
async def list_objections(
    application_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(application_readers)],
) -> list[ObjectionOut]:
    return await service.objections(session, principal, application_id)


@router.post(
    "/{application_id}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionOut,
    summary="Record an objection · 登记异议",
    description="During publicity, by the bureau on behalf of whoever raised it (who, when, "
    "what; attachments are documents of the space in the registry). It concerns this "
    "application alone; it must be resolved before recognition." + _STEP,
    responses=_step_responses,
)
async def lodge_objection(
    application_id: uuid.UUID,
    body: ObjectionCreate,
    response: Response,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ObjectionOut:
    objection = await service.lodge_objection(session, principal, application_id, body)
    audit.about("objection", objection.id, application_id=str(application_id))
    response.headers["Location"] = f"/v1/applications/{application_id}/objections"
    return service.objection_out(objection, None)


@router.post(
    "/{application_id}/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
    summary="Resolve an objection · 异议处理",
    description="upheld: the application is rejected (final). dismissed: it goes on, and is "
    "publicised once its publicity has closed and no other objection is open. Once per "
    "objection." + _STEP,
    responses=_step_responses,
)
async def resolve_objection(
    application_id: uuid.UUID,
    objection_id: uuid.UUID,
    body: ObjectionResolutionCreate,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> ObjectionOut:
    objection, resolution = await service.resolve_objection(
        session, principal, application_id, objection_id, body
    )
    audit.about(
        "objection", objection.id, application_id=str(application_id), outcome=body.outcome.value
    )
    return service.objection_out(objection, resolution)


# Publicity notices and recognition batches concern several applications at once.
batches_router = APIRouter(
    prefix="/v1",
    tags=["applications · 认定申报"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)


async def _publicity_out(session: AsyncSession, notice_id: uuid.UUID) -> PublicityOut:
    notice, period, items = await service.get_publicity(session, notice_id)
    return PublicityOut(
        id=notice.id,
        notice_no=notice.notice_no,
        starts_on=notice.starts_on,
        ends_on=period.due_on if period else None,
        working_days=notice.working_days,
        basis=period.basis if period else "",
        calendar_versions=period.calendar_versions if period else {},
        opened_at=notice.opened_at,
        opened_by=notice.opened_by,
        closed_on=notice.closed_on,
        items=items,
    )


@batches_router.post(
    "/publicity-notices",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicityOut,
    summary="Open publicity for a batch · 公示",
    description="By the bureau: approved applications under one notice number, from "
    "`starts_on` for 5 working days on China's official calendar, the first day counting. A "
    "period reaching a year whose calendar is not loaded is a 422 naming the year. Every "
    "application named must be approved (409 naming those that are not; nothing is opened)."
    "\n\nSend an `Idempotency-Key` so a retry opens it once.",
    responses=problem_responses(404, 409),
)
async def open_publicity(
    body: PublicityCreate,
    response: Response,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> PublicityOut:
    notice = await service.open_publicity(session, principal, body)
    audit.about("publicity_notice", notice.id, notice_no=notice.notice_no)
    response.headers["Location"] = f"/v1/publicity-notices/{notice.id}"
    return await _publicity_out(session, notice.id)


@batches_router.get(
    "/publicity-notices/{notice_id}",
    response_model=PublicityOut,
    summary="A publicity notice · 公示",
    responses=problem_responses(404),
)
async def get_publicity(
    notice_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(bureau_and_auditors)],
) -> PublicityOut:
    return await _publicity_out(session, notice_id)


@batches_router.post(
    "/publicity-notices/{notice_id}/close",
    response_model=PublicityOut,
    summary="Close publicity · 公示期满",
    description="By the bureau, once the period's last working day has passed (China time): "
    "409 before. Each application without an unresolved objection is publicised; one with "
    "an objection open stays in publicity until it is resolved, without holding up the others.",
    responses=problem_responses(404, 409),
)
async def close_publicity(
    notice_id: uuid.UUID,
    body: PublicityClose,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> PublicityOut:
    notice = await service.close_publicity(session, principal, notice_id, body)
    audit.about("publicity_notice", notice.id, notice_no=notice.notice_no, closed=True)
    return await _publicity_out(session, notice.id)


_RECOGNITION = (
    "By the bureau: applications whose publicity ended with every objection resolved "
    "(publicised), under one announcement (document number and date) with a mandatory reason. "
    "Each gets its own plaque number 兰科众创〔year〕第NNN号 (the announcement's year, the "
    "sequence of recognitions within it) and its space the recognition act: the municipal "
    "level and the `space.recognised` event, from which the subsidy service proposes the award."
)


@batches_router.post(
    "/recognitions/preview",
    response_model=RecognitionPreview,
    summary="Preview a recognition batch · 认定预览",
    description=_RECOGNITION + " The preview records nothing: it says what would happen to "
    "each application (its plaque number, or why it would be refused).",
    responses=problem_responses(409),
)
async def preview_recognition(
    body: RecognitionBatchCreate,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
) -> RecognitionPreview:
    return await service.preview_recognition(session, principal, body)


@batches_router.post(
    "/recognitions",
    status_code=status.HTTP_201_CREATED,
    response_model=RecognitionBatchOut,
    summary="Recognise a batch · 认定",
    description=_RECOGNITION + " The batch is recognised whole or not at all: 409 naming each "
    "application refused and why. Send an `Idempotency-Key` so a retry recognises once.",
    responses=problem_responses(409),
)
async def recognise_batch(
    body: RecognitionBatchCreate,
    response: Response,
    session: Session,
    principal: Annotated[Principal, Depends(bureau)],
    audit: Audit,
) -> RecognitionBatchOut:
    batch = await service.recognise_batch(session, principal, body)
    audit.about("recognition_batch", batch.id, document_no=batch.document_no)
    response.headers["Location"] = f"/v1/recognitions/{batch.id}"
    return batch


@batches_router.get(
    "/recognitions/{batch_id}",
    response_model=RecognitionBatchOut,
    summary="A recognition batch · 认定公告",
    responses=problem_responses(404),
)
async def get_recognition_batch(
    batch_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(bureau_and_auditors)],
) -> RecognitionBatchOut:
    return await service.get_batch(session, batch_id)
