"""HTTP for annual assessments: the schemes, scoring with a stored receipt, reading and replay."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.assessments import repository, service
from services.eligibility.assessments.schemas import (
    AssessmentReceipt,
    AssessmentReceiptSummary,
    AssessmentReplay,
    AssessmentRequest,
    SchemeDetail,
    SchemeSummary,
)
from services.eligibility.assessments.service import SchemeBook
from shared.audit import AuditNote
from shared.auth import Principal, Role, authenticated, require_roles
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1",
    tags=["assessments · 年度考核"],
    route_class=TransactionalRoute,
    responses=problem_responses(401),
)

# The same roles as eligibility decisions: whoever may decide may score, auditors read.
scorers = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.EXPERT, Role.SERVICE)
readers = require_roles(
    Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.EXPERT, Role.SERVICE, Role.AUDITOR
)


async def scheme_book_of(request: Request) -> SchemeBook:
    return request.app.state.assessment_schemes  # type: ignore[no-any-return]


Book = Annotated[SchemeBook, Depends(scheme_book_of)]
Session = Annotated[AsyncSession, Depends(get_session)]


@router.get(
    "/assessment-schemes",
    response_model=list[SchemeSummary],
    summary="Assessment schemes, by year · 年度考核评分方案",
)
async def list_assessment_schemes(
    book: Book, _principal: Annotated[Principal, Depends(authenticated)]
) -> list[SchemeSummary]:
    return [
        SchemeSummary(
            id=s.id,
            year=s.scheme.year,
            title_zh=s.scheme.title_zh,
            title_en=s.scheme.title_en,
            status=s.scheme.status,
            content_hash=s.content_hash,
        )
        for s in book.all()
    ]


@router.get(
    "/assessment-schemes/{scheme_id}",
    response_model=SchemeDetail,
    summary="A scheme's indicators, weights, bands and overriding conditions · 评分方案详情",
    responses=problem_responses(404),
)
async def get_assessment_scheme(
    scheme_id: str, book: Book, _principal: Annotated[Principal, Depends(authenticated)]
) -> dict[str, Any]:
    loaded = book.get(scheme_id)
    return {**loaded.scheme.model_dump(), "content_hash": loaded.content_hash}


@router.get(
    "/assessment-facts-schema",
    summary="JSON Schema of the facts an assessment takes · 考核事实模型",
)
async def assessment_facts_schema(
    _principal: Annotated[Principal, Depends(authenticated)],
) -> dict[str, Any]:
    return AssessmentFacts.model_json_schema()


@router.post(
    "/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentReceipt,
    summary="Score a year and keep the receipt · 年度考核评分并留存回执",
    description="The receipt is filed under `facts.space_id` only if the registry has that "
    "space, within a district's own jurisdiction (another district's space is the same 404 as "
    "an unknown one), and under the jurisdiction the registry gives it. Facts naming no space "
    "are scored and kept under the caller's jurisdiction, filed under no space.",
    responses=problem_responses(403, 404, 422, 502, 503),
)
async def create_assessment(
    body: AssessmentRequest,
    request: Request,
    response: Response,
    session: Session,
    book: Book,
    principal: Annotated[Principal, Depends(scorers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> AssessmentReceipt:
    receipt = await service.record(
        session, book, request.app.state.registry_client, principal, body.facts
    )
    audit.about(
        "assessment_receipt",
        receipt.id,
        year=receipt.result.year,
        verdict=receipt.result.verdict.value,
        grade=receipt.result.grade.value if receipt.result.grade else None,
        scheme=receipt.result.scheme.id,
    )
    response.headers["Location"] = f"/v1/assessments/{receipt.id}"
    return receipt


@router.get(
    "/assessments",
    response_model=Page[AssessmentReceiptSummary],
    summary="Assessment receipts, oldest first · 考核回执列表",
    responses=problem_responses(403, 422),
)
async def list_assessments(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
    grade: Annotated[AssessmentGrade | None, Query()] = None,
) -> dict[str, Any]:
    rows = await repository.list_page(
        session, principal.jurisdiction_scope, page, space_id=space_id, year=year, grade=grade
    )
    items, cursor = page_of(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)])
    return {
        "items": [
            AssessmentReceiptSummary(
                id=r.id,
                created_at=r.created_at,
                requested_by=r.requested_by,
                space_id=r.space_id,
                jurisdiction_code=r.jurisdiction_code,
                year=r.year,
                scheme_id=r.scheme_id,
                verdict=r.verdict,
                grade=r.grade,
                score=service.stored_score(r),
            )
            for r in items
        ],
        "next_cursor": cursor,
    }


@router.get(
    "/assessments/{receipt_id}",
    response_model=AssessmentReceipt,
    summary="An assessment receipt · 考核回执",
    responses=problem_responses(403, 404, 422),
)
async def get_assessment(
    receipt_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> AssessmentReceipt:
    return service.to_receipt(await service.get_receipt(session, principal, receipt_id))


@router.get(
    "/assessments/{receipt_id}/replay",
    response_model=AssessmentReplay,
    summary="Re-score with the pinned scheme · 复算考核回执",
    responses=problem_responses(403, 404, 422),
)
async def replay_assessment(
    receipt_id: uuid.UUID,
    session: Session,
    book: Book,
    principal: Annotated[Principal, Depends(readers)],
) -> AssessmentReplay:
    return service.replay(book, await service.get_receipt(session, principal, receipt_id))
