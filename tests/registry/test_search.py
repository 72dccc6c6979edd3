"""Search by name: ``GET /v1/spaces?q=`` (the space's name) and ``GET /v1/operators?q=`` (the
operator's name or its 统一社会信用代码), a substring on SQLite and PostgreSQL alike, within the
caller's jurisdiction, together with the other filters and the pages."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import space_body
from tests.registry.factories import make_uscc

OWN, OTHER = "620102", "620103"


async def _space(registry, auth, name: str, jurisdiction: str = OWN, **overrides: Any) -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(name=name, jurisdiction_code=jurisdiction, **overrides),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _operator(registry, auth, name: str, jurisdiction: str = OWN, **overrides: Any) -> dict:
    """An operator whose code carries its jurisdiction's region (620102...)."""
    body = {
        "uscc": make_uscc(region=jurisdiction),
        "name": name,
        "kind": "enterprise",
        "founded_on": "2019-05-20",
        "registered_address": "甘肃省兰州市城关区天水南路222号",
        "registered_in_lanzhou": True,
        "jurisdiction_code": jurisdiction,
        **overrides,
    }
    response = await registry.post(
        "/v1/operators", json=body, headers=auth("district_officer", jurisdiction)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _ids(registry, headers: dict[str, str], path: str, query: str) -> list[str]:
    """Every id the list answers for ``query``, paging through with a small page."""
    seen: list[str] = []
    url = f"{path}?limit=2&{query}"
    while url:
        response = await registry.get(url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        url = f"{path}?limit=2&{query}&cursor={cursor}" if cursor else ""
    return seen


def _q(text: str) -> str:
    return "q=" + quote(text, safe="")


async def test_spaces_are_found_by_part_of_their_name(registry, auth) -> None:
    xiruan = await _space(registry, auth, "西软众创空间")
    xiruan_lab = await _space(registry, auth, "兰州西软孵化器", form="specialised")
    maker = await _space(registry, auth, "Maker 100% 空间")
    underscore = await _space(registry, auth, "Maker_X 空间")
    await _space(registry, auth, "创意产业众创空间")
    theirs = await _space(registry, auth, "西软众创空间", OTHER)
    district, bureau = auth("district_officer", OWN), auth("city_admin")

    async def found(query: str, headers: dict[str, str] = district) -> set[str]:
        ids = await _ids(registry, headers, "/v1/spaces", query)
        assert len(ids) == len(set(ids))  # each once across the pages
        return set(ids)

    assert await found(_q("西软")) == {xiruan, xiruan_lab}
    # Another district's space of the same name is never matched for a district officer.
    assert theirs not in await found(_q("西软众创空间"))
    assert await found(_q("西软"), bureau) == {xiruan, xiruan_lab, theirs}
    assert await found(_q("MAKER")) == {maker, underscore}  # Latin letters in any case
    assert await found(_q("maker 100")) == {maker}
    assert await found(_q("%")) == {maker}  # % and _ are characters, not wildcards
    assert await found(_q("_")) == {underscore}
    assert await found(_q(" 西软 ")) == {xiruan, xiruan_lab}  # surrounding blanks ignored
    assert await found(_q("西软众创空间孵化器")) == set()
    # Together with the other filters.
    assert await found(_q("西软") + "&form=specialised") == {xiruan_lab}
    assert await found(_q("西软") + "&status=applicant") == {xiruan, xiruan_lab}
    assert await found(_q("西软") + "&status=recognised") == set()
    assert await found(_q("西软") + f"&jurisdiction_code={OTHER}", bureau) == {theirs}


@pytest.mark.parametrize("path", ["/v1/spaces", "/v1/operators"])
@pytest.mark.parametrize("query", ["q=", "q=%20%20", "q=%E3%80%80", "q=" + "空" * 201])
async def test_a_blank_or_overlong_search_is_refused_naming_q(registry, auth, path, query) -> None:
    response = await registry.get(f"{path}?{query}", headers=auth("city_admin"))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == ["query.q"]
    assert "q" in problem["detail"]


async def test_operators_are_found_by_name_or_credit_code(registry, auth) -> None:
    code = make_uscc(region=OWN)
    by_code = await _operator(registry, auth, "兰州某某科技有限公司", uscc=code)
    by_name = await _operator(registry, auth, f"{code[8:14]}研究所-{uuid.uuid4().hex[:4]}")
    other = await _operator(registry, auth, "兰州其他有限公司")
    theirs = await _operator(registry, auth, "七里河某某有限公司", OTHER)
    district, bureau = auth("district_officer", OWN), auth("city_admin")

    async def found(query: str, headers: dict[str, str] = district) -> set[str]:
        return set(await _ids(registry, headers, "/v1/operators", query))

    assert await found(_q(code)) == {by_code["id"]}
    # Part of the code, as copied from a licence: lower case, spaces, full-width digits.
    assert await found(_q(code[8:14].lower())) == {by_code["id"], by_name["id"]}
    assert await found(_q(f"{code[:4]} {code[4:8]}")) == {by_code["id"], by_name["id"], other["id"]}
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code[:6])
    assert by_code["id"] in await found(_q(full_width))
    assert await found(_q("某某")) == {by_code["id"]}
    assert await found(_q("某某"), bureau) == {by_code["id"], theirs["id"]}
    # Another district's operator is never matched by its code for a district officer.
    assert await found(_q(theirs["uscc"])) == set()
    assert await found(_q(theirs["uscc"]), bureau) == {theirs["id"]}
    assert await found(_q("某某") + "&kind=university", bureau) == set()
