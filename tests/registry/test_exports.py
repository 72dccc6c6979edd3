"""Exports of the space list and the statistics (xlsx and CSV): read back, they say what the JSON
says, with the same filters, and a district's export holds nothing of another district."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openpyxl import load_workbook

from services.registry.exports.service import (
    FORM_NAMES,
    PROFILE_NAMES,
    SPACE_HEADERS,
    STATISTICS_HEADERS,
    STATUS_NAMES,
)
from shared.contracts.jurisdictions import JURISDICTION_NAMES
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus
from tests.conftest import space_body
from tests.registry.test_status import recognition

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
        body["name"] = f"{'本区' if jurisdiction == OWN else '别区的秘密'}空间-{form}"
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
        item["operator_id"] or "",
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
    """The JSON's figures keyed as the export's (category, code)."""
    spaces, levels = statistics["spaces"], statistics["levels"]
    figures = {("众创空间", "total"): spaces["total"]}
    for category, group in (
        ("按状态", spaces["by_status"]),
        ("按形态", spaces["by_form"]),
        ("按特色类型", spaces["by_profile"]),
        ("按属地", spaces["by_jurisdiction"]),
        ("市级以上按属地", levels["municipal_or_above_by_jurisdiction"]),
        ("年度活动按类型", statistics["activities"]["by_kind"]),
        ("年度考核等次", statistics["assessments"]["by_grade"]),
    ):
        figures |= {(category, key): value for key, value in group.items()}
    for key in ("municipal", "provincial", "national_filing", "municipal_or_above"):
        figures[("级别", key)] = levels[key]
    for key, value in statistics["teams"].items():
        figures[("入孵企业和团队", key)] = value
    figures[("年度活动", "count")] = statistics["activities"]["count"]
    figures[("年度活动", "attendance")] = statistics["activities"]["attendance"]
    figures[("年度考核", "assessed")] = statistics["assessments"]["assessed"]
    for share in statistics["shares"]:
        for key in ("count", "province_total", "share_percent"):
            figures[("占全省比例", f"{share['measure']}.{key}")] = share[key]
    return {key: str(value) for key, value in figures.items()}


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
@pytest.mark.parametrize("role", ["district_officer", "city_admin"])
async def test_statistics_export_says_what_the_json_says(
    registry: httpx.AsyncClient, auth: Any, export_format: str, role: str
) -> None:
    await _seed(registry, auth)
    headers = auth(role, OWN if role == "district_officer" else None)
    params = {"as_of": date.today().isoformat(), "province_municipal_or_above": "10"}
    statistics = (await registry.get("/v1/statistics", params=params, headers=headers)).json()
    response = await registry.get(
        "/v1/statistics/export", params={**params, "format": export_format}, headers=headers
    )
    header, rows = _read(response, export_format)
    assert header == list(STATISTICS_HEADERS)
    exported = {(row[0], row[2]): Decimal(row[3]) for row in rows if row[0] != "统计口径"}
    # As numbers: xlsx keeps 10.0 % as the number 10.
    assert exported == {key: Decimal(value) for key, value in _figures(statistics).items()}
    scope = {row[1]: row[3] for row in rows if row[0] == "统计口径"}
    if role == "district_officer":
        assert scope["范围"] == JURISDICTION_NAMES[OWN]
        # Nothing of the other district: not its name, code or counts.
        assert all(row[2] != OTHER and JURISDICTION_NAMES[OTHER] not in row for row in rows)
        assert exported[("众创空间", "total")] == 3
    else:
        assert scope["范围"] == "全市"
        assert exported[("众创空间", "total")] == 5
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
