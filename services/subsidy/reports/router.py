"""HTTP for reports: JSON, and CSV and xlsx exports with Chinese headers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import readers
from services.subsidy.reports import service
from services.subsidy.reports.schemas import Grouping, Statement, Summary
from shared.auth import Principal
from shared.errors import problem_responses
from shared.tabular import CSV_MEDIA_TYPE as CSV
from shared.tabular import XLSX_MEDIA_TYPE as XLSX
from shared.tabular import content_disposition, to_csv, to_xlsx
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/reports",
    tags=["reports · 统计报表"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, Depends(readers)]
By = Annotated[
    Grouping,
    Query(description="Rows by year, jurisdiction, space, award kind or award status"),
]
Year = Annotated[
    int | None,
    Query(
        ge=2015,
        le=2100,
        description="财政年度: awards of that fiscal year, cases determined in it; "
        "leave out for all years",
    ),
]

_EXPORT_DESCRIPTION = (
    "CSV is UTF-8 with a byte-order mark (Excel opens the Chinese correctly); every money "
    "column comes twice, yuan with two decimals (元) and exact fen (分). The xlsx has a frozen "
    "header and money as numbers in yuan (format `#,##0.00`). Every header and value is "
    "Chinese; text a spreadsheet would read as a formula (beginning `=`, `+`, `-`, `@`, tab, "
    "CR or LF) goes out as text: in CSV with a leading apostrophe, in xlsx as a text cell."
)


def _file(content: bytes, media_type: str, names: tuple[str, str]) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(*names)},
    )


def _file_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": "The file, as an attachment"}}


@router.get(
    "/summary",
    response_model=Summary,
    summary="Totals by a grouping · 奖补汇总",
    description=(
        "Per group: awards, awarded (net of releases), paid, in transit, undisbursed, claimed "
        "back, and the recovery cases' determined, outstanding, recovered and written-off "
        "amounts (null for by=kind and by=status, which do not apply to cases); a totals row; "
        "and for the bureau, finance and auditors the budget's execution. A district officer "
        "sees its own jurisdiction's figures only, without the city-wide budget."
    ),
)
async def get_summary(
    session: Session, principal: Reader, by: By = Grouping.YEAR, fiscal_year: Year = None
) -> Summary:
    return await service.summary(session, principal, by, fiscal_year)


@router.get(
    "/summary.csv",
    summary="Totals as CSV · 奖补汇总（CSV）",
    description=_EXPORT_DESCRIPTION + " The budget block is in the xlsx only.",
    response_class=Response,
    responses=_file_responses(CSV),
)
async def get_summary_csv(
    session: Session, principal: Reader, by: By = Grouping.YEAR, fiscal_year: Year = None
) -> Response:
    report = await service.summary(session, principal, by, fiscal_year)
    content = to_csv(service.summary_table(report))
    return _file(content, CSV, service.summary_filenames(report, "csv"))


@router.get(
    "/summary.xlsx",
    summary="Totals as xlsx · 奖补汇总（Excel）",
    description=_EXPORT_DESCRIPTION + " A second sheet holds the budget (not for a district).",
    response_class=Response,
    responses=_file_responses(XLSX),
)
async def get_summary_xlsx(
    session: Session, principal: Reader, by: By = Grouping.YEAR, fiscal_year: Year = None
) -> Response:
    report = await service.summary(session, principal, by, fiscal_year)
    tables = [service.summary_table(report)]
    if report.budget is not None:
        tables.append(service.budget_table(report.budget))
    content = to_xlsx(*tables)
    return _file(content, XLSX, service.summary_filenames(report, "xlsx"))


@router.get(
    "/spaces/{space_id}/statement",
    response_model=Statement,
    summary="A space's statement · 奖补对账单",
    description=(
        "The space's awards with their tranches, its recovery cases with their settlements, "
        "and every ledger entry that touched its accounts in order, with the running net paid "
        "(paid − claimed back) and outstanding. Another district's space is 404, like an "
        "unknown one."
    ),
    responses=problem_responses(404),
)
async def get_statement(space_id: uuid.UUID, session: Session, principal: Reader) -> Statement:
    return await service.statement(session, principal, space_id)


@router.get(
    "/spaces/{space_id}/statement.csv",
    summary="A space's ledger lines as CSV · 对账单（CSV）",
    description=_EXPORT_DESCRIPTION,
    response_class=Response,
    responses={**problem_responses(404), **_file_responses(CSV)},
)
async def get_statement_csv(space_id: uuid.UUID, session: Session, principal: Reader) -> Response:
    report = await service.statement(session, principal, space_id)
    content = to_csv(service.statement_table(report))
    return _file(content, CSV, service.statement_filenames(report, "csv"))


@router.get(
    "/spaces/{space_id}/statement.xlsx",
    summary="A space's ledger lines as xlsx · 对账单（Excel）",
    description=_EXPORT_DESCRIPTION,
    response_class=Response,
    responses={**problem_responses(404), **_file_responses(XLSX)},
)
async def get_statement_xlsx(space_id: uuid.UUID, session: Session, principal: Reader) -> Response:
    report = await service.statement(session, principal, space_id)
    content = to_xlsx(service.statement_table(report))
    return _file(content, XLSX, service.statement_filenames(report, "xlsx"))
