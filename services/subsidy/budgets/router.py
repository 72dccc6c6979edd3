"""HTTP for budgets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import ledger_readers, treasurers
from services.subsidy.budgets import service
from services.subsidy.budgets.schemas import AdjustmentIn, AppropriationIn, BudgetOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.idempotency import require_idempotency_key
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/budgets",
    tags=["budgets · 预算"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 428, 422),
)
Year = Annotated[int, Path(ge=2015, le=2100, description="财政年度: the fiscal (calendar) year")]


@router.post(
    "/{fiscal_year}/appropriations",
    status_code=status.HTTP_201_CREATED,
    response_model=BudgetOut,
    summary="Record an appropriation · 下达预算",
    description="Adds to the year's budget (the first one opens it). Send an `Idempotency-Key`.",
    dependencies=[Depends(require_idempotency_key)],
)
async def appropriate(
    fiscal_year: Year,
    body: AppropriationIn,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> BudgetOut:
    audit.about("budget", fiscal_year, amount_fen=body.amount_fen, document_no=body.document_no)
    return await service.appropriate(session, principal, fiscal_year, body)


@router.post(
    "/{fiscal_year}/adjustments",
    status_code=status.HTTP_201_CREATED,
    response_model=BudgetOut,
    summary="Adjust a budget · 调整预算",
    description=(
        "An adjustment is a new entry, never an edit. A reduction larger than what is not yet "
        "awarded is refused (409). Send an `Idempotency-Key`."
    ),
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def adjust(
    fiscal_year: Year,
    body: AdjustmentIn,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> BudgetOut:
    audit.about("budget", fiscal_year, amount_fen=body.amount_fen, document_no=body.document_no)
    return await service.adjust(session, principal, fiscal_year, body)


@router.get("", response_model=list[BudgetOut], summary="Budgets by year · 各年度预算")
async def list_budgets(
    session: Annotated[AsyncSession, Depends(get_session)],
    _: Annotated[Principal, Depends(ledger_readers)],
) -> list[BudgetOut]:
    return [await service.read(session, year) for year in await service.years(session)]


@router.get(
    "/{fiscal_year}",
    response_model=BudgetOut,
    summary="A year's budget and its entries · 年度预算及执行",
    responses=problem_responses(404),
)
async def read_budget(
    fiscal_year: Year,
    session: Annotated[AsyncSession, Depends(get_session)],
    _: Annotated[Principal, Depends(ledger_readers)],
) -> BudgetOut:
    return await service.read(session, fiscal_year)
