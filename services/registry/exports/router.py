"""HTTP for exports: the space list and the statistics as CSV or xlsx attachments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers
from services.registry.exports import service
from services.registry.exports.service import MEDIA_TYPES, ExportFormat
from services.registry.operators.schemas import SearchText
from services.registry.spaces.schemas import SpaceFilters
from services.registry.statistics.router import ProvinceTotal
from services.registry.statistics.service import ProvinceTotals
from shared.auth import Principal
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus
from shared.errors import problem_responses
from shared.request_body import IsoDate
from shared.tabular import content_disposition
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    tags=["exports · 导出"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, Depends(readers)]
Format = Annotated[ExportFormat, Query(alias="format", description="`xlsx` or `csv`")]

_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media_type: {} for media_type in MEDIA_TYPES.values()},
        "description": "The file, as an attachment",
    }
}
_FORMATS = (
    "CSV is UTF-8 with a byte-order mark (Excel reads the Chinese); xlsx has one sheet with a "
    "bold, frozen header row. Headers and values are Chinese (labels, not the JSON's codes); "
    "text that a spreadsheet would read as a formula (beginning `=`, `+`, `-`, `@`, tab, CR or "
    "LF) goes out as text: in CSV with a leading apostrophe, in xlsx as a text cell. The file is "
    "named in Chinese (`filename*`, RFC 5987) with an ASCII `filename` for older clients."
)


def _file(content: bytes, export_format: ExportFormat, names: tuple[str, str]) -> Response:
    return Response(
        content,
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": content_disposition(*names)},
    )


@router.get(
    "/v1/spaces/export",
    response_class=Response,
    responses=_FILES,
    summary="Export the space list · 导出众创空间名录",
    description=(
        "Every space `GET /v1/spaces` lists with the same filters, in the same order, without "
        "pages, with its operator's name and 统一社会信用代码 and the levels it holds today "
        "(China time), each with the document that granted it (`市级(兰科发〔2020〕12号); "
        "省级(...)`). A district officer gets its own jurisdiction's spaces only. " + _FORMATS
    ),
)
async def export_spaces(
    session: Session,
    principal: Reader,
    export_format: Format = ExportFormat.XLSX,
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
    form: Annotated[SpaceForm | None, Query()] = None,
    profile: Annotated[SpaceProfile | None, Query()] = None,
    space_status: Annotated[
        SpaceStatus | None, Query(alias="status", description="The status in force now")
    ] = None,
    q: Annotated[
        SearchText | None, Query(description="Part of the name, as `GET /v1/spaces` takes it")
    ] = None,
) -> Response:
    filters = SpaceFilters(
        jurisdiction_code=jurisdiction_code, form=form, profile=profile, status=space_status, q=q
    )
    table = await service.space_table(session, principal, filters)
    return _file(
        service.write(table, export_format),
        export_format,
        service.space_filenames(principal, export_format),
    )


@router.get(
    "/v1/statistics/export",
    response_class=Response,
    responses=_FILES,
    summary="Export the statistics · 导出统计",
    description=(
        "The figures of `GET /v1/statistics` for the same parameters, one row each: category, "
        "item and figure, in Chinese. A district officer gets its own figures only. " + _FORMATS
    ),
)
async def export_statistics(
    session: Session,
    principal: Reader,
    export_format: Format = ExportFormat.XLSX,
    as_of: Annotated[IsoDate | None, Query(description="Today (China time) if omitted")] = None,
    year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
    province_national_filing: ProvinceTotal = None,
    province_provincial: ProvinceTotal = None,
    province_municipal_or_above: ProvinceTotal = None,
    province_excellent: ProvinceTotal = None,
) -> Response:
    figures, table = await service.statistics_table(
        session,
        principal,
        as_of,
        year,
        ProvinceTotals(
            national_filing=province_national_filing,
            provincial=province_provincial,
            municipal_or_above=province_municipal_or_above,
            excellent=province_excellent,
        ),
    )
    return _file(
        service.write(table, export_format),
        export_format,
        service.statistics_filenames(figures, export_format),
    )
