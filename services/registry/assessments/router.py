"""HTTP for a space's annual assessment results and their corrections."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers
from services.registry.assessments import service
from services.registry.assessments.models import SpaceAssessment
from services.registry.assessments.schemas import (
    AssessmentConsequence,
    AssessmentCorrection,
    AssessmentCreate,
    AssessmentIndicators,
    AssessmentOut,
    AssessmentScoring,
)
from services.registry.spaces.models import Space
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/assessments",
    tags=["assessments · 年度考核结果"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


def _out(
    assessment: SpaceAssessment, in_force: bool, consequence: AssessmentConsequence | None
) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.id,
        space_id=assessment.space_id,
        year=assessment.year,
        revision=assessment.revision,
        grade=assessment.grade,
        document_no=assessment.document_no,
        assessed_on=assessment.assessed_on,
        correction_reason=assessment.correction_reason,
        in_force=in_force,
        score_receipt_id=assessment.score_receipt_id,
        consequence=consequence,
        recorded_at=assessment.recorded_at,
        recorded_by=assessment.recorded_by,
    )


async def _respond(
    session: AsyncSession,
    response: Response,
    audit: AuditNote,
    space: Space,
    assessment: SpaceAssessment,
) -> AssessmentOut:
    consequence = (await service.consequences(session, [assessment])).get(assessment.id)
    audit.about(
        "space_assessment",
        assessment.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        year=assessment.year,
        revision=assessment.revision,
        grade=assessment.grade.value,
        consequence=None if consequence is None else consequence.act.value,
    )
    response.headers["Location"] = f"/v1/spaces/{space.id}/assessments?year={assessment.year}"
    return _out(assessment, True, consequence)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Record an annual assessment result · 登记年度考核结果",
    description="The bureau (city_admin) only; one result per space and year (409 if one "
    "exists: correct it instead). Emits `space.assessed`.\n\n"
    "A 不合格 result acts in the same transaction (动态管理): a recognised space goes under "
    "rectification (限期整改) until `rectification_deadline` or the default period "
    "(`space.rectification_ordered`); the second consecutive 不合格 year revokes the "
    "recognition with reason `failed_assessments` (`space.revoked`). `consequence` shows "
    "the act recorded.",
    responses=problem_responses(409),
)
async def record_assessment(
    space_id: uuid.UUID,
    body: AssessmentCreate,
    request: Request,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> AssessmentOut:
    space, assessment = await service.record_assessment(
        session,
        principal,
        space_id,
        body,
        default_months=request.app.state.settings.rectification_default_months,
    )
    return await _respond(session, response, audit, space, assessment)


@router.post(
    "/{year}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Correct a year's result · 更正考核结果 (a new revision; the old is kept)",
    description="The bureau (city_admin) only. Emits `space.assessed` with the corrected grade. "
    "A correction that turns a pass into 不合格 acts as a recorded 不合格 does; one that turns "
    "a 不合格 into a pass undoes nothing (a revocation is final; the bureau may end a "
    "rectification with `POST /v1/spaces/{id}/rectification-end`).",
    responses=problem_responses(409),
)
async def correct_assessment(
    space_id: uuid.UUID,
    year: Annotated[int, Path(ge=2015, le=2100)],
    body: AssessmentCorrection,
    request: Request,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> AssessmentOut:
    space, assessment = await service.correct_assessment(
        session,
        principal,
        space_id,
        year,
        body,
        default_months=request.app.state.settings.rectification_default_months,
    )
    return await _respond(session, response, audit, space, assessment)


@router.get(
    "",
    response_model=Page[AssessmentOut],
    summary="A space's assessment results and corrections · 年度考核结果",
)
async def list_assessments(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
) -> dict[str, Any]:
    rows = await service.list_assessments(session, principal, space_id, year, page)
    items, cursor = page_of(rows, page, lambda row: [row[0].year, row[0].revision])
    found = await service.consequences(session, [a for a, _ in items])
    return {
        "items": [_out(a, in_force, found.get(a.id)) for a, in_force in items],
        "next_cursor": cursor,
    }


@router.get(
    "/{year}/indicators",
    response_model=AssessmentIndicators,
    summary="A year's assessment indicators from the registry's records · 年度考核指标",
    description="Training sessions and attendance (培训次数、人次), mentoring sessions (辅导次数), "
    "teams in incubation at the year's end, teams admitted, graduated teams that registered "
    "an enterprise (毕业团队注册企业数), incidents and list entries, counted from the "
    "registry's own records of the space for the calendar year (through today for the "
    "current year, `complete: false`). `facts` is the eligibility service's assessment-facts "
    "contract. A year not yet begun is refused with 422.",
)
async def get_indicators(
    space_id: uuid.UUID,
    year: Annotated[int, Path(ge=2015, le=2100)],
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> AssessmentIndicators:
    return await service.indicators(session, principal, space_id, year)


@router.post(
    "/{year}/scoring",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Score a year with the eligibility service and record its grade · 考核评分并登记",
    description="The bureau (city_admin) only. The registry assembles the year's indicators "
    "(`GET .../{year}/indicators`, with `financing_obtained_fen` from the body), has them "
    "scored by the eligibility service with that year's scheme (`POST /v1/assessments` "
    "there), and records the grade it gives as the year's result with `score_receipt_id`, "
    "exactly as `POST .../assessments` does (one result per year, the same date rules, the "
    "same consequences of a 不合格). A scheme that gives no grade (facts missing) is a 422 "
    "naming them; no scheme for the year is a 502 with the eligibility service's reason; an "
    "unreachable eligibility service is a 503. Each records nothing.",
    responses=problem_responses(409, 502, 503),
)
async def score_assessment(
    space_id: uuid.UUID,
    year: Annotated[int, Path(ge=2015, le=2100)],
    body: AssessmentScoring,
    request: Request,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> AssessmentOut:
    space, assessment = await service.score_and_record(
        session,
        principal,
        space_id,
        year,
        body,
        request.app.state.eligibility_client,
        default_months=request.app.state.settings.rectification_default_months,
    )
    return await _respond(session, response, audit, space, assessment)
