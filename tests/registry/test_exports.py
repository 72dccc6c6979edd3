"""Exports of the space list and the statistics (xlsx and CSV): read back, they say what the JSON
says, with the same filters, and a district's export holds nothing of another district."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine

from services.registry.activities.models import ActivityKind
from services.registry.exports.service import (
    ACTIVITY_NAMES,
    FORM_NAMES,
    MEASURE_NAMES,
    PROFILE_NAMES,
    SPACE_HEADERS,
    STATISTICS_HEADERS,
    STATUS_NAMES,
)
from shared.contracts.jurisdictions import JURISDICTION_NAMES
from shared.contracts.spaces import SpaceForm, SpaceLevel, SpaceProfile, SpaceStatus
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.factories import make_uscc
from tests.registry.test_status import level, recognition

OWN, OTHER = "620102", "620103"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(response: httpx.Response, export_format: str) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) of an export, every value as text, as a person would read it."""
    assert response.status_code == 200, response.text
    if export_format == "csv":
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return lines[0], lines[1:]
    assert response.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


async def _seed(registry: httpx.AsyncClient, auth: Any) -> dict[str, list[str]]:
    admin = auth("city_admin")
    names: dict[str, list[str]] = {OWN: [], OTHER: []}
    for jurisdiction, form, profile in (
        (OWN, "comprehensive", "tech_startup"),
        (OWN, "virtual", "e_commerce"),
        (OWN, "specialised", "culture"),
        (OTHER, "comprehensive", "tech_startup"),
        (OTHER, "virtual", "modern_agriculture"),
    ):
        body = space_body(jurisdiction_code=jurisdiction, form=form, profile=profile)
        body["name"] = (
            f"{'本区' if jurisdiction == OWN else '别区的秘密'}空间-{FORM_NAMES[SpaceForm(form)]}"
        )
        if form != "virtual":
            body["address"] = (
                f"兰州市{'城关区' if jurisdiction == OWN else '七里河区'}某路{len(form)}号"
            )
        created = await registry.post("/v1/spaces", json=body, headers=admin)
        assert created.status_code == 201, created.text
        names[jurisdiction].append(body["name"])
        if form == "comprehensive":
            recognised = await registry.post(
                f"/v1/spaces/{created.json()['id']}/recognition",
                json=recognition(),
                headers=admin,
            )
            assert recognised.status_code in (200, 201), recognised.text
    return names


async def _json_list(
    registry: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str]
) -> list[dict[str, Any]]:
    response = await registry.get("/v1/spaces", params={**params, "limit": "200"}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _as_row(item: dict[str, Any]) -> list[str]:
    return [
        item["id"],
        item["name"],
        item["address"] or "",
        item["jurisdiction_code"],
        JURISDICTION_NAMES[item["jurisdiction_code"]],
        FORM_NAMES[SpaceForm(item["form"])],
        PROFILE_NAMES[SpaceProfile(item["profile"])],
        item["opened_on"],
        STATUS_NAMES[SpaceStatus(item["status"])],
        item["status_since"],
        "",  # levels: a recognised space's municipal level, below
        item["operator_id"] or "",
        "",  # no operator recorded: no name
        "",  # and no USCC
    ]


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"form": "virtual"},
        {"status": "recognised"},
        {"profile": "culture", "jurisdiction_code": OWN},
        {"jurisdiction_code": OTHER},
        {"q": "虚拟"},
    ],
)
async def test_a_district_exports_its_list_as_the_json_shows_it(
    registry: httpx.AsyncClient, auth: Any, export_format: str, params: dict[str, str]
) -> None:
    names = await _seed(registry, auth)
    district = auth("district_officer", OWN)
    response = await registry.get(
        "/v1/spaces/export", params={**params, "format": export_format}, headers=district
    )
    headers, rows = _read(response, export_format)
    assert headers == list(SPACE_HEADERS)
    expected = [_as_row(item) for item in await _json_list(registry, district, params)]
    for row in expected:
        if row[8] == STATUS_NAMES[SpaceStatus.RECOGNISED]:
            row[10] = f"市级({recognition()['document_no']})"
    # Every column but the registration time (to the second, China time) compared exactly.
    assert [row[:-1] for row in rows] == expected
    for row in rows:
        assert row[3] == OWN
    text = response.content.decode("utf-8-sig", errors="replace")
    for name in names[OTHER]:
        assert name not in text
        assert all(name not in cell for row in rows for cell in row)


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
async def test_the_bureau_exports_every_space(
    registry: httpx.AsyncClient, auth: Any, export_format: str
) -> None:
    names = await _seed(registry, auth)
    response = await registry.get(
        "/v1/spaces/export", params={"format": export_format}, headers=auth("auditor")
    )
    _, rows = _read(response, export_format)
    assert sorted(row[1] for row in rows) == sorted(names[OWN] + names[OTHER])
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="spaces-city-')
    assert f".{export_format}\"; filename*=UTF-8''" in disposition
    assert quote("众创空间名录_全市_") in disposition
    assert disposition.isascii()


async def test_a_district_export_is_named_for_its_district(
    registry: httpx.AsyncClient, auth: Any
) -> None:
    response = await registry.get(
        "/v1/spaces/export",
        params={"format": "csv"},
        headers=auth("district_officer", OWN),
    )
    disposition = response.headers["content-disposition"]
    assert f'filename="spaces-{OWN}-' in disposition
    assert quote(f"众创空间名录_{JURISDICTION_NAMES[OWN]}_") in disposition


def _figures(statistics: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The JSON's figures keyed as the export's (category, item), both in Chinese."""
    spaces, levels = statistics["spaces"], statistics["levels"]
    figures: dict[tuple[str, str], Any] = {("众创空间", "合计"): spaces["total"]}
    for category, group, names in (
        ("按状态", spaces["by_status"], {k.value: v for k, v in STATUS_NAMES.items()}),
        ("按形态", spaces["by_form"], {k.value: v for k, v in FORM_NAMES.items()}),
        ("按特色类型", spaces["by_profile"], {k.value: v for k, v in PROFILE_NAMES.items()}),
        ("按属地", spaces["by_jurisdiction"], JURISDICTION_NAMES),
        ("市级以上按属地", levels["municipal_or_above_by_jurisdiction"], JURISDICTION_NAMES),
        (
            "年度活动按类型",
            statistics["activities"]["by_kind"],
            {k.value: v for k, v in ACTIVITY_NAMES.items()},
        ),
        ("年度考核等次", statistics["assessments"]["by_grade"], {}),
    ):
        figures |= {(category, names.get(key, key)): value for key, value in group.items()}
    for key, item in (
        ("municipal", "市级"),
        ("provincial", "省级"),
        ("national_filing", "国家备案"),
        ("municipal_or_above", "市级以上"),
    ):
        figures[("级别", item)] = levels[key]
    for key, item in (
        ("in_incubation", "在孵"),
        ("graduated", "累计毕业"),
        ("graduated_in_year", "本年度毕业"),
    ):
        figures[("入孵企业和团队", item)] = statistics["teams"][key]
    figures[("年度活动", "活动次数")] = statistics["activities"]["count"]
    figures[("年度活动", "参加人次")] = statistics["activities"]["attendance"]
    figures[("年度考核", "参加考核")] = statistics["assessments"]["assessed"]
    for share in statistics["shares"]:
        category = f"占全省比例·{MEASURE_NAMES[share['measure']]}"
        for key, item in (
            ("count", "本地数量"),
            ("province_total", "全省总数"),
            ("share_percent", "占比（%）"),
        ):
            figures[(category, item)] = share[key]
    return {key: str(value) for key, value in figures.items()}


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
@pytest.mark.parametrize("role", ["district_officer", "city_admin"])
async def test_statistics_export_says_what_the_json_says(
    registry: httpx.AsyncClient, auth: Any, export_format: str, role: str
) -> None:
    await _seed(registry, auth)
    headers = auth(role, OWN if role == "district_officer" else None)
    params = {"as_of": today_in_china().isoformat(), "province_municipal_or_above": "10"}
    statistics = (await registry.get("/v1/statistics", params=params, headers=headers)).json()
    response = await registry.get(
        "/v1/statistics/export", params={**params, "format": export_format}, headers=headers
    )
    header, rows = _read(response, export_format)
    assert header == list(STATISTICS_HEADERS)
    exported = {(row[0], row[1]): Decimal(row[2]) for row in rows if row[0] != "统计口径"}
    assert len(exported) == len(rows) - 3  # each (category, item) once
    # As numbers: xlsx keeps 10.0 % as the number 10.
    assert exported == {key: Decimal(value) for key, value in _figures(statistics).items()}
    scope = {row[1]: row[2] for row in rows if row[0] == "统计口径"}
    if role == "district_officer":
        assert scope["范围"] == JURISDICTION_NAMES[OWN]
        # Nothing of the other district: not its name, code or counts.
        assert all(JURISDICTION_NAMES[OTHER] not in row for row in rows)
        assert exported[("众创空间", "合计")] == 3
    else:
        assert scope["范围"] == "全市"
        assert exported[("众创空间", "合计")] == 5
    assert "filename*=UTF-8''" in response.headers["content-disposition"]


async def test_exports_refuse_what_the_json_refuses(registry: httpx.AsyncClient, auth: Any) -> None:
    assert (await registry.get("/v1/spaces/export")).status_code == 401
    bad = await registry.get(
        "/v1/spaces/export", params={"form": "castle"}, headers=auth("city_admin")
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    wrong = await registry.get(
        "/v1/statistics/export", params={"format": "pdf"}, headers=auth("city_admin")
    )
    assert wrong.status_code == 422
    expert = await registry.get("/v1/statistics/export", headers=auth("expert"))
    assert expert.status_code == 403


# Each begins as a spreadsheet would take it for a formula (OWASP's CSV injection list; a
# leading tab or CR does not survive a name's trimming, shared.tabular's tests have them).
HOSTILE_NAMES = (
    '=HYPERLINK("http://x","y")',
    "+1+1 众创空间",
    "-2+3 众创空间",
    "@SUM(A1) 众创空间",
)


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
async def test_a_name_that_looks_like_a_formula_goes_out_as_text(
    registry: httpx.AsyncClient, auth: Any, export_format: str
) -> None:
    admin = auth("city_admin")
    stored = []
    for name in HOSTILE_NAMES:
        created = await registry.post("/v1/spaces", json=space_body(name=name), headers=admin)
        assert created.status_code == 201, created.text
        stored.append(created.json()["name"])
    response = await registry.get(
        "/v1/spaces/export", params={"format": export_format}, headers=admin
    )
    assert response.status_code == 200, response.text
    column = SPACE_HEADERS.index("名称")
    if export_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
        # A leading apostrophe: Excel shows the text and runs nothing.
        assert sorted(row[column] for row in rows) == sorted("'" + name for name in stored)
        return
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert sorted(cell.value for cell in cells) == sorted(stored)  # the name, unchanged
    for cell in cells:
        assert cell.data_type == "s"  # text, not a formula ("f")
        assert cell.quotePrefix  # and stays text when someone edits the cell
    assert b"<f>" not in _sheet_xml(response.content)


def _sheet_xml(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


async def _operator(registry: httpx.AsyncClient, auth: Any, name: str) -> dict[str, Any]:
    created = await registry.post(
        "/v1/operators",
        json={
            "uscc": make_uscc(),
            "name": name,
            "kind": "enterprise",
            "founded_on": "2019-05-20",
            "registered_address": "甘肃省兰州市城关区天水南路222号",
            "registered_in_lanzhou": True,
            "jurisdiction_code": OWN,
        },
        headers=auth("city_admin"),
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _space_with_levels(
    registry: httpx.AsyncClient, auth: Any, operator: dict[str, Any] | None
) -> str:
    """A space recognised by 兰科发〔2024〕31号, provincial by 甘科发〔2024〕88号, and a national
    filing that was withdrawn."""
    admin = auth("city_admin")
    body = space_body(jurisdiction_code=OWN)
    if operator is not None:
        body["operator_id"] = operator["id"]
    created = await registry.post("/v1/spaces", json=body, headers=admin)
    assert created.status_code == 201, created.text
    space = created.json()["id"]
    for path, payload in (
        ("recognition", recognition()),
        ("levels", level()),
        (
            "levels",
            level(level="national_filing", document_no="国科火字〔2024〕5号"),
        ),
    ):
        done = await registry.post(f"/v1/spaces/{space}/{path}", json=payload, headers=admin)
        assert done.status_code in (200, 201), done.text
    national = done.json()["id"]
    withdrawn = await registry.post(
        f"/v1/spaces/{space}/levels/{national}/withdrawal",
        json={"ended_on": "2025-03-01", "document_no": "国科火字〔2025〕2号", "reason": "撤销备案"},
        headers=admin,
    )
    assert withdrawn.status_code in (200, 201), withdrawn.text
    return str(space)


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
async def test_the_space_list_names_the_operator_and_the_levels_held(
    registry: httpx.AsyncClient, auth: Any, export_format: str
) -> None:
    operator = await _operator(registry, auth, "兰州西软科技有限公司")
    space = await _space_with_levels(registry, auth, operator)
    bare = await registry.post(
        "/v1/spaces", json=space_body(jurisdiction_code=OWN), headers=auth("city_admin")
    )
    response = await registry.get(
        "/v1/spaces/export", params={"format": export_format}, headers=auth("district_officer", OWN)
    )
    headers, rows = _read(response, export_format)
    by_id = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    assert by_id[space]["运营主体名称"] == "兰州西软科技有限公司"
    assert by_id[space]["统一社会信用代码"] == operator["uscc"]
    # Held today: the withdrawn national filing is not.
    assert by_id[space]["级别"] == "市级(兰科发〔2024〕31号); 省级(甘科发〔2024〕88号)"
    nothing = by_id[bare.json()["id"]]
    assert (nothing["运营主体名称"], nothing["统一社会信用代码"], nothing["级别"]) == ("", "", "")


async def test_the_space_list_export_reads_a_bounded_number_of_statements(
    registry: httpx.AsyncClient, auth: Any
) -> None:
    """Operators and levels come with the list, not one query per space."""

    async def statements_for_export() -> int:
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            response = await registry.get(
                "/v1/spaces/export", params={"format": "csv"}, headers=auth("city_admin")
            )
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert response.status_code == 200, response.text
        return len(seen)

    operator = await _operator(registry, auth, "兰州甲科技有限公司")
    await _space_with_levels(registry, auth, operator)
    few = await statements_for_export()
    for index in range(4):
        await _space_with_levels(
            registry, auth, await _operator(registry, auth, f"兰州乙{index}科技有限公司")
        )
    assert await statements_for_export() == few


# Every code the JSON speaks that a person reading an export should see in Chinese.
ENUM_CODES = frozenset(
    code
    for enum in (SpaceForm, SpaceProfile, SpaceStatus, SpaceLevel, ActivityKind)
    for code in enum
) | {"municipal_or_above", "in_incubation", "graduated", "as_of", "total", "city"}


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
async def test_no_export_cell_holds_an_english_code(
    registry: httpx.AsyncClient, auth: Any, export_format: str
) -> None:
    await _seed(registry, auth)
    await _space_with_levels(registry, auth, await _operator(registry, auth, "兰州丙科技有限公司"))
    admin = auth("city_admin")
    for path, params in (
        ("/v1/spaces/export", {}),
        ("/v1/statistics/export", {"province_national_filing": "10", "province_provincial": "20"}),
    ):
        params["format"] = export_format
        response = await registry.get(path, params=params, headers=admin)
        headers, rows = _read(response, export_format)
        words = {
            word
            for cell in [*headers, *(cell for row in rows for cell in row)]
            for word in re.findall(r"[a-z_.]+", cell)
        }
        assert not words & ENUM_CODES, (path, sorted(words & ENUM_CODES))
