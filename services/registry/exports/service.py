"""The space list and the statistics as tables with Chinese headers and Chinese labels, written
as CSV or xlsx by the shared formula-safe writer (``shared.tabular``); no HTTP here.

The rows come from the same service functions as the JSON endpoints (``spaces.list_spaces``,
``statistics.statistics``), with the same filters and the caller's jurisdiction scope, so an
export shows exactly what the JSON shows and a district's export holds only its own spaces. The
space list adds each space's operator (name, 统一社会信用代码) and the levels it holds today
(China time) with their documents, read for a whole page of the list at a time: an export of any
size sends three statements per thousand spaces. Every value a person reads is Chinese: the
JSON's codes (``comprehensive``, ``recognised``) appear as their labels (综合性, 已认定).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import ActivityKind
from services.registry.exports import repository
from services.registry.spaces import service as spaces
from services.registry.spaces.schemas import SpaceFilters
from services.registry.spaces.service import SpaceWithStatus
from services.registry.statistics import service as statistics
from services.registry.statistics.schemas import Statistics
from shared.auth import Principal
from shared.contracts.jurisdictions import JURISDICTION_NAMES
from shared.contracts.spaces import SpaceForm, SpaceLevel, SpaceProfile, SpaceStatus
from shared.pagination import PageParams, encode_cursor
from shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Cell, Column, Table, to_csv, to_xlsx
from shared.timezone import CHINA_TZ, today_in_china

# The export reads the list in pages of this size (the JSON list's own keyset pagination).
EXPORT_PAGE = 1_000


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {ExportFormat.CSV: CSV_MEDIA_TYPE, ExportFormat.XLSX: XLSX_MEDIA_TYPE}

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

MEASURE_NAMES = {
    "national_filing": "国家备案",
    "provincial": "省级",
    "municipal_or_above": "市级以上",
    "excellent": "考核优秀",
}
# The order levels are listed in, lowest first.
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_NAMES)}

SPACE_COLUMNS = (
    Column("空间编号", width=38),
    Column("名称", width=30),
    Column("地址", width=36),
    Column("属地代码", width=10),
    Column("属地", width=10),
    Column("形态", width=8),
    Column("特色类型", width=16),
    Column("开始运营日期", width=14),
    Column("当前状态", width=12),
    Column("状态起始日期", width=14),
    Column("级别", width=44),
    Column("运营主体编号", width=38),
    Column("运营主体名称", width=30),
    Column("统一社会信用代码", width=20),
    Column("登记时间", width=20),
)
SPACE_HEADERS = tuple(column.header for column in SPACE_COLUMNS)
STATISTICS_COLUMNS = (Column("类别", width=24), Column("项目", width=24), Column("数值", width=12))
STATISTICS_HEADERS = tuple(column.header for column in STATISTICS_COLUMNS)


def levels_text(held: Sequence[tuple[SpaceLevel, str]]) -> str:
    """``市级(兰科发〔2020〕12号); 省级(甘科发〔2021〕3号)``: each level held, lowest first, with
    the document that granted it."""
    ordered = sorted(held, key=lambda grant: _LEVEL_RANK[grant[0]])
    return "; ".join(f"{LEVEL_NAMES[level]}({document_no})" for level, document_no in ordered)


async def space_table(session: AsyncSession, principal: Principal, filters: SpaceFilters) -> Table:
    """Every space the list shows for these filters, in the list's order, with its operator
    and the levels it holds today."""
    rows: list[list[Cell]] = []
    today = today_in_china()
    cursor: str | None = None
    while True:
        page = await spaces.list_spaces(
            session, principal, filters, PageParams(limit=EXPORT_PAGE, cursor=cursor)
        )
        views = page[:EXPORT_PAGE]
        operators = await repository.operator_names(
            session, {v.space.operator_id for v in views if v.space.operator_id is not None}
        )
        levels = await repository.levels_held(session, [v.space.id for v in views], today)
        rows += [_space_row(view, operators, levels) for view in views]
        if len(page) <= EXPORT_PAGE:
            break
        last = page[EXPORT_PAGE - 1].space
        # The same cursor the JSON list hands out after this space.
        cursor = encode_cursor(spaces.list_cursor(last.created_at, last.id))
    return Table("众创空间", SPACE_COLUMNS, rows, frozen_columns=2)


def _space_row(
    view: SpaceWithStatus,
    operators: dict[uuid.UUID, tuple[str, str]],
    levels: dict[uuid.UUID, list[tuple[SpaceLevel, str]]],
) -> list[Cell]:
    space = view.space
    no_operator = ("", "")
    operator = no_operator if space.operator_id is None else operators.get(space.operator_id)
    operator_name, uscc = operator or no_operator
    return [
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
        levels_text(levels.get(space.id, [])),
        "" if space.operator_id is None else str(space.operator_id),
        operator_name,
        uscc,
        space.created_at.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0),
    ]


async def statistics_table(
    session: AsyncSession,
    principal: Principal,
    as_of: date | None,
    year: int | None,
    province: statistics.ProvinceTotals,
) -> tuple[Statistics, Table]:
    """The statistics (as the JSON endpoint computes them) as rows of category, item and
    figure, every category and item in Chinese."""
    figures = await statistics.statistics(session, principal, as_of, year, province)
    spaces_ = figures.spaces
    scope = figures.jurisdiction_code
    rows: list[list[Cell]] = [
        ["统计口径", "截至日期", figures.as_of],
        ["统计口径", "统计年度", figures.year],
        ["统计口径", "范围", "全市" if scope is None else JURISDICTION_NAMES[scope]],
        ["众创空间", "合计", spaces_.total],
    ]
    rows += [["按状态", STATUS_NAMES[SpaceStatus(k)], v] for k, v in spaces_.by_status.items()]
    rows += [["按形态", FORM_NAMES[SpaceForm(k)], v] for k, v in spaces_.by_form.items()]
    rows += [
        ["按特色类型", PROFILE_NAMES[SpaceProfile(k)], v] for k, v in spaces_.by_profile.items()
    ]
    rows += [["按属地", JURISDICTION_NAMES[k], v] for k, v in spaces_.by_jurisdiction.items()]
    levels = figures.levels
    rows += [
        ["级别", LEVEL_NAMES[SpaceLevel.MUNICIPAL], levels.municipal],
        ["级别", LEVEL_NAMES[SpaceLevel.PROVINCIAL], levels.provincial],
        ["级别", LEVEL_NAMES[SpaceLevel.NATIONAL_FILING], levels.national_filing],
        ["级别", MEASURE_NAMES["municipal_or_above"], levels.municipal_or_above],
    ]
    rows += [
        ["市级以上按属地", JURISDICTION_NAMES[k], v]
        for k, v in levels.municipal_or_above_by_jurisdiction.items()
    ]
    rows += [
        ["入孵企业和团队", "在孵", figures.teams.in_incubation],
        ["入孵企业和团队", "累计毕业", figures.teams.graduated],
        ["入孵企业和团队", "本年度毕业", figures.teams.graduated_in_year],
        ["年度活动", "活动次数", figures.activities.count],
        ["年度活动", "参加人次", figures.activities.attendance],
    ]
    rows += [
        ["年度活动按类型", ACTIVITY_NAMES[ActivityKind(k)], v]
        for k, v in figures.activities.by_kind.items()
    ]
    rows.append(["年度考核", "参加考核", figures.assessments.assessed])
    rows += [["年度考核等次", k, v] for k, v in figures.assessments.by_grade.items()]
    for share in figures.shares:
        category = f"占全省比例·{MEASURE_NAMES[share.measure]}"
        rows += [
            [category, "本地数量", share.count],
            [category, "全省总数", share.province_total],
            [category, "占比（%）", share.share_percent],
        ]
    return figures, Table("统计", STATISTICS_COLUMNS, rows)


def write(table: Table, export_format: ExportFormat) -> bytes:
    return to_csv(table) if export_format is ExportFormat.CSV else to_xlsx(table)


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
