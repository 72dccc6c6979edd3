"""HTTP for statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers
from services.registry.statistics import service
from services.registry.statistics.schemas import Statistics
from shared.auth import Principal
from shared.errors import problem_responses
from shared.request_body import IsoDate
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/statistics",
    tags=["statistics · 统计"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)

ProvinceTotal = Annotated[int | None, Query(ge=1, le=1_000_000)]


@router.get(
    "",
    response_model=Statistics,
    summary="Statistics for a date · 统计",
    description=(
        "Spaces by status, form, profile and jurisdiction; spaces holding each level and "
        "'市级以上' (any level); teams in incubation and graduated; the year's activities, "
        "attendance and assessment grades; all as of the end of `as_of` (China time, today by "
        "default), computed in the database. A district officer gets its own jurisdiction's "
        "figures only. Give the province's totals (`province_national_filing`, ...) to get "
        "shares such as '23 national filings, 76.7 % of the province's'."
    ),
)
async def get_statistics(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    as_of: Annotated[IsoDate | None, Query(description="Today (China time) if omitted")] = None,
    year: Annotated[
        int | None,
        Query(ge=2015, le=2100, description="The year of the yearly figures; as_of's by default"),
    ] = None,
    province_national_filing: ProvinceTotal = None,
    province_provincial: ProvinceTotal = None,
    province_municipal_or_above: ProvinceTotal = None,
    province_excellent: Annotated[
        int | None,
        Query(ge=1, le=1_000_000, description="The province's 优秀 in `year`'s assessment"),
    ] = None,
) -> Statistics:
    return await service.statistics(
        session,
        principal,
        as_of,
        year,
        service.ProvinceTotals(
            national_filing=province_national_filing,
            provincial=province_provincial,
            municipal_or_above=province_municipal_or_above,
            excellent=province_excellent,
        ),
    )
