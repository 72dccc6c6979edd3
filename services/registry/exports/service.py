"""The space list and the statistics as tables with Chinese headers, written as CSV or xlsx;
no HTTP here.

The rows come from the same service functions as the JSON endpoints (``spaces.list_spaces``,
``statistics.statistics``), with the same filters and the caller's jurisdiction scope, so an
export shows exactly what the JSON shows and a district's export holds only its own spaces.
CSV is UTF-8 with a byte-order mark (so Excel reads the Chinese); xlsx is written with
openpyxl's write-only workbook, one row at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import quote

# No type stubs for openpyxl in the lock (types-openpyxl would give them).
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import ActivityKind
from services.registry.spaces import service as spaces
from services.registry.spaces.schemas import SpaceFilters
from services.registry.statistics import service as statistics
from services.registry.statistics.schemas import Statistics
from shared.auth import Principal
from shared.contracts.jurisdictions import JURISDICTION_NAMES
from shared.contracts.spaces import SpaceForm, SpaceLevel, SpaceProfile, SpaceStatus
from shared.pagination import PageParams, encode_cursor
from shared.timezone import CHINA_TZ, today_in_china

# The export reads the list in pages of this size (the JSON list's own keyset pagination).
EXPORT_PAGE = 1_000


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FORM_NAMES = {
    SpaceForm.COMPREHENSIVE: "综合性",
    SpaceForm.SPECIALISED: "专业化",
    SpaceForm.VIRTUAL: "虚拟",
}
PROFILE_NAMES = {
    SpaceProfile.E_COMMERCE: "电商产业型",
    SpaceProfile.CULTURE: "文化产业型",
    SpaceProfile.MODERN_AGRICULTURE: "现代农业产业型",
    SpaceProfile.INTERNET_PLUS: "“互联网+”创业型",
    SpaceProfile.TECH_STARTUP: "科技创业型",
    SpaceProfile.COMPREHENSIVE_SERVICES: "综合服务型",
}
STATUS_NAMES = {
    SpaceStatus.APPLICANT: "申报中",
    SpaceStatus.RECOGNISED: "已认定",
    SpaceStatus.UNDER_RECTIFICATION: "限期整改",
    SpaceStatus.REVOKED: "已取消认定",
}
LEVEL_NAMES = {
    SpaceLevel.MUNICIPAL: "市级",
    SpaceLevel.PROVINCIAL: "省级",
    SpaceLevel.NATIONAL_FILING: "国家备案",
}
ACTIVITY_NAMES = {
    ActivityKind.TRAINING: "培训",
    ActivityKind.SALON: "创业沙龙",
    ActivityKind.LECTURE: "讲座",
    ActivityKind.CAMP: "训练营",
    ActivityKind.ROADSHOW: "路演",
    ActivityKind.MENTORING: "创业辅导",
}

SPACE_HEADERS = (
    "空间编号",
    "名称",
    "地址",
    "属地代码",
    "属地",
    "形态",
    "特色类型",
    "开始运营日期",
    "当前状态",
    "状态起始日期",
    "运营主体编号",
    "登记时间",
)
STATISTICS_HEADERS = ("类别", "项目", "代码", "数值")


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name
    headers: Sequence[str]
    rows: list[list[Any]]


async def space_table(session: AsyncSession, principal: Principal, filters: SpaceFilters) -> Table:
    """Every space the list shows for these filters, in the list's order."""
    rows: list[list[Any]] = []
    cursor: str | None = None
    while True:
        page = await spaces.list_spaces(
            session, principal, filters, PageParams(limit=EXPORT_PAGE, cursor=cursor)
        )
        for view in page[:EXPORT_PAGE]:
            space = view.space
            rows.append(
                [
                    str(space.id),
                    space.name,
                    space.address or "",
                    space.jurisdiction_code,
                    JURISDICTION_NAMES.get(space.jurisdiction_code, space.jurisdiction_code),
                    FORM_NAMES[space.form],
                    PROFILE_NAMES[space.profile],
                    space.opened_on,
                    STATUS_NAMES[view.status],
                    view.status_since,
                    "" if space.operator_id is None else str(space.operator_id),
                    space.created_at.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0),
                ]
            )
        if len(page) <= EXPORT_PAGE:
            break
        last = page[EXPORT_PAGE - 1].space
        # The same cursor the JSON list hands out after this space.
        cursor = encode_cursor(spaces.list_cursor(last.created_at, last.id))
    return Table("众创空间", SPACE_HEADERS, rows)


async def statistics_table(
    session: AsyncSession,
    principal: Principal,
    as_of: date | None,
    year: int | None,
    province: statistics.ProvinceTotals,
) -> tuple[Statistics, Table]:
    """The statistics (as the JSON endpoint computes them) as rows of category, item, code,
    figure."""
    figures = await statistics.statistics(session, principal, as_of, year, province)
    spaces_ = figures.spaces
    rows: list[list[Any]] = [
        ["统计口径", "截至日期", "as_of", figures.as_of],
        ["统计口径", "统计年度", "year", figures.year],
        [
            "统计口径",
            "范围",
            figures.jurisdiction_code or "city",
            "全市"
            if figures.jurisdiction_code is None
            else JURISDICTION_NAMES[figures.jurisdiction_code],
        ],
        ["众创空间", "合计", "total", spaces_.total],
    ]
    rows += [["按状态", STATUS_NAMES[SpaceStatus(k)], k, v] for k, v in spaces_.by_status.items()]
    rows += [["按形态", FORM_NAMES[SpaceForm(k)], k, v] for k, v in spaces_.by_form.items()]
    rows += [
        ["按特色类型", PROFILE_NAMES[SpaceProfile(k)], k, v] for k, v in spaces_.by_profile.items()
    ]
    rows += [["按属地", JURISDICTION_NAMES[k], k, v] for k, v in spaces_.by_jurisdiction.items()]
    levels = figures.levels
    rows += [
        ["级别", LEVEL_NAMES[SpaceLevel.MUNICIPAL], "municipal", levels.municipal],
        ["级别", LEVEL_NAMES[SpaceLevel.PROVINCIAL], "provincial", levels.provincial],
        [
            "级别",
            LEVEL_NAMES[SpaceLevel.NATIONAL_FILING],
            "national_filing",
            levels.national_filing,
        ],
        ["级别", "市级以上", "municipal_or_above", levels.municipal_or_above],
    ]
    rows += [
        ["市级以上按属地", JURISDICTION_NAMES[k], k, v]
        for k, v in levels.municipal_or_above_by_jurisdiction.items()
    ]
    rows += [
        ["入孵企业和团队", "在孵", "in_incubation", figures.teams.in_incubation],
        ["入孵企业和团队", "累计毕业", "graduated", figures.teams.graduated],
        ["入孵企业和团队", "本年度毕业", "graduated_in_year", figures.teams.graduated_in_year],
        ["年度活动", "活动次数", "count", figures.activities.count],
        ["年度活动", "参加人次", "attendance", figures.activities.attendance],
    ]
    rows += [
        ["年度活动按类型", ACTIVITY_NAMES[ActivityKind(k)], k, v]
        for k, v in figures.activities.by_kind.items()
    ]
    rows.append(["年度考核", "参加考核", "assessed", figures.assessments.assessed])
    rows += [["年度考核等次", k, k, v] for k, v in figures.assessments.by_grade.items()]
    for share in figures.shares:
        rows += [
            ["占全省比例", share.text_zh, f"{share.measure}.count", share.count],
            ["占全省比例", "全省总数", f"{share.measure}.province_total", share.province_total],
            ["占全省比例", "占比（%）", f"{share.measure}.share_percent", share.share_percent],
        ]
    return figures, Table("统计", STATISTICS_HEADERS, rows)


def write(table: Table, export_format: ExportFormat) -> bytes:
    return to_csv(table) if export_format is ExportFormat.CSV else to_xlsx(table)


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends, as Excel on the bureau's desktops reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title)
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, header, bold) for header in table.headers])
    for row in table.rows:
        sheet.append(_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet: Any, header: str, font: Font) -> Any:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = font
    return cell


def _cells(sheet: Any, row: Iterable[Any]) -> list[Any]:
    cells: list[Any] = []
    for value in row:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, Decimal):
            cell.number_format = "0.0"  # a share in percent, one decimal as the JSON gives it
        elif isinstance(value, str):
            cell.data_type = "s"  # a name beginning with '=' stays text, never a formula
        cells.append(cell)
    return cells


def content_disposition(ascii_name: str, name: str) -> str:
    """An attachment with an ASCII ``filename`` for old clients and the Chinese name as an
    RFC 5987 ``filename*``."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def space_filenames(principal: Principal, export_format: ExportFormat) -> tuple[str, str]:
    scope = principal.jurisdiction_scope
    scope_zh = "全市" if scope is None else JURISDICTION_NAMES.get(scope, scope)
    on = today_in_china().isoformat()
    return (
        f"spaces-{scope or 'city'}-{on}.{export_format.value}",
        f"众创空间名录_{scope_zh}_{on}.{export_format.value}",
    )


def statistics_filenames(figures: Statistics, export_format: ExportFormat) -> tuple[str, str]:
    scope = figures.jurisdiction_code
    scope_zh = "全市" if scope is None else JURISDICTION_NAMES[scope]
    on = figures.as_of.isoformat()
    return (
        f"statistics-{scope.value if scope else 'city'}-{on}.{export_format.value}",
        f"众创空间统计_{scope_zh}_{on}.{export_format.value}",
    )
