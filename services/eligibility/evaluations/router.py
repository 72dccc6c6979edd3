"""HTTP for evaluations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.engine.evaluate import DECISION, Decision
from services.eligibility.engine.outcome import OverallVerdict
from services.eligibility.evaluations import repository, service
from services.eligibility.evaluations.json_body import (
    collector_paused,
    documented_body,
    parse_json,
)
from services.eligibility.evaluations.schemas import (
    BatchRequest,
    BatchResult,
    EvaluationRequest,
    ImpactRequest,
    ImpactResult,
    Receipt,
    ReceiptSummary,
    RegistrySpaces,
    Replay,
    WhatIfRequest,
)
from services.eligibility.rulesets.router import book_of
from services.eligibility.rulesets.service import RulesetBook
from shared.audit import AuditNote
from shared.auth import Principal, Role, require_roles
from shared.errors import problem_responses
from shared.limits import body_limit
from shared.pagination import Page, PageParams, page_of, page_params
from shared.route_guard import GuardedRoute
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1",
    tags=["evaluations · 资格判定"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)

deciders = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.EXPERT, Role.SERVICE)
readers = require_roles(
    Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.EXPERT, Role.SERVICE, Role.AUDITOR
)

# What-if, batch and impact store nothing and touch no database: plain routes, no transaction,
# nothing to audit (the audit log records requests that change state).
analysis_router = APIRouter(
    prefix="/v1",
    tags=["evaluations · 资格判定"],
    route_class=GuardedRoute,
    responses=problem_responses(401, 403, 422),
)

# The body limit of batch and impact: 10,000 fact sets are about 19 MB as compact JSON and
# 28 MB indented; every other route takes the service's 1 MiB.
BULK_BODY_BYTES = 32 * 1024 * 1024

Book = Annotated[RulesetBook, Depends(book_of)]
Session = Annotated[AsyncSession, Depends(get_session)]


@router.post(
    "/evaluations",
    status_code=status.HTTP_201_CREATED,
    response_model=Receipt,
    summary="Decide and keep the receipt · 资格判定并留存回执",
    description="The receipt is filed under `facts.space_id` only if the registry has that "
    "space, within a district's own jurisdiction (another district's space is the same 404 as "
    "an unknown one), and under the jurisdiction the registry gives it. Facts naming no space "
    "are decided and kept under the caller's jurisdiction, filed under no space.",
    responses=problem_responses(404, 502, 503),
)
async def create_evaluation(
    body: EvaluationRequest,
    request: Request,
    session: Session,
    book: Book,
    principal: Annotated[Principal, Depends(deciders)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Response:
    row, decision = await service.record(
        session, book, request.app.state.registry_client, principal, body
    )
    audit.about(
        "decision_receipt",
        row.id,
        verdict=decision.verdict.value,
        ruleset=decision.ruleset.id,
    )
    # The receipt is written from the JSON just stored, not validated and serialised again.
    return Response(
        service.receipt_json(row),
        status_code=status.HTTP_201_CREATED,
        media_type="application/json",
        headers={"Location": f"/v1/evaluations/{row.id}"},
    )


@router.get(
    "/evaluations", response_model=Page[ReceiptSummary], summary="Decision receipts · 判定回执列表"
)
async def list_evaluations(
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    verdict: Annotated[OverallVerdict | None, Query()] = None,
) -> dict[str, Any]:
    rows = await repository.list_page(
        session, principal.jurisdiction_scope, space_id, verdict, page
    )
    items, cursor = page_of(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)])
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/evaluations/{receipt_id}",
    response_model=Receipt,
    summary="A decision receipt · 判定回执",
    responses=problem_responses(404),
)
async def get_evaluation(
    receipt_id: uuid.UUID, session: Session, principal: Annotated[Principal, Depends(readers)]
) -> Response:
    row = await service.get_receipt(session, principal, receipt_id)
    return Response(service.receipt_json(row), media_type="application/json")


@router.get(
    "/evaluations/{receipt_id}/replay",
    response_model=Replay,
    summary="Re-decide with the pinned ruleset · 复算回执",
    responses=problem_responses(404),
)
async def replay_evaluation(
    receipt_id: uuid.UUID,
    session: Session,
    book: Book,
    principal: Annotated[Principal, Depends(readers)],
) -> Replay:
    return service.replay(book, await service.get_receipt(session, principal, receipt_id))


@analysis_router.post(
    "/evaluations/batch",
    response_model=BatchResult,
    summary="Evaluate up to 10,000 fact sets, not stored · 批量判定（不留存）",
    responses=problem_responses(404, 413),
    openapi_extra=body_limit(BULK_BODY_BYTES, **documented_body(BatchRequest)),
)
async def batch_evaluate(
    request: Request, book: Book, principal: Annotated[Principal, Depends(deciders)]
) -> Response:
    raw = await request.body()
    with collector_paused():  # nothing below awaits
        body = parse_json(raw, request.headers.get("content-type"), BATCH_REQUEST)
        service.check_scope(principal, body.items)
        ruleset = book.get(body.ruleset_id) if body.ruleset_id else None
        content = BATCH_RESULT.dump_json(service.batch(book, body.items, ruleset))
    return Response(content, media_type="application/json")


@analysis_router.post(
    "/what-if",
    response_model=Decision,
    summary="Evaluate under a named ruleset, not stored · 假设分析",
    responses=problem_responses(404),
)
async def what_if(
    body: WhatIfRequest, book: Book, principal: Annotated[Principal, Depends(deciders)]
) -> Response:
    service.check_scope(principal, [body])
    decision = service.decide(book, body, book.get(body.ruleset_id))
    # The engine's own dataclasses, written once (a response model would validate them again).
    return Response(DECISION.dump_json(decision), media_type="application/json")


@analysis_router.post(
    "/impact",
    response_model=ImpactResult,
    summary="Which spaces change verdict between two rulesets · 规则变更影响分析",
    responses=problem_responses(404, 413, 502, 503),
    openapi_extra=body_limit(BULK_BODY_BYTES, **documented_body(ImpactRequest)),
)
async def impact(
    request: Request,
    book: Book,
    principal: Annotated[Principal, Depends(deciders)],
) -> Response:
    raw = await request.body()
    with collector_paused():
        body = parse_json(raw, request.headers.get("content-type"), IMPACT_REQUEST)
    # Unknown rulesets are refused before anything is asked of the registry.
    for ruleset_id in (body.baseline_ruleset_id, body.candidate_ruleset_id):
        book.get(ruleset_id)
    if body.registry is not None:
        items = await service.fetch_from_registry(
            request.app.state.registry_client, principal, body.registry
        )
    else:
        assert body.items is not None
        items = body.items
    with collector_paused():  # nothing below awaits
        service.check_scope(principal, items)
        result = service.impact(book, body.baseline_ruleset_id, body.candidate_ruleset_id, items)
        content = IMPACT_RESULT.dump_json(result)
    return Response(content, media_type="application/json")


BATCH_REQUEST: TypeAdapter[BatchRequest] = TypeAdapter(BatchRequest)
BATCH_RESULT: TypeAdapter[BatchResult] = TypeAdapter(BatchResult)
IMPACT_REQUEST: TypeAdapter[ImpactRequest] = TypeAdapter(ImpactRequest)
IMPACT_RESULT: TypeAdapter[ImpactResult] = TypeAdapter(ImpactResult)
# The bodies the routes above read themselves, for the published contract.
BODIES_READ_DIRECTLY: list[type[BaseModel]] = [BatchRequest, ImpactRequest, RegistrySpaces]
