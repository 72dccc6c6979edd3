"""A district sees its own jurisdiction's spaces and nothing of another's, by id or in a list."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import space_body

OWN, OTHER = "620102", "620103"


async def _create(registry, auth, jurisdiction: str, **overrides) -> dict:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, **overrides),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_district_reads_own_space(registry, auth) -> None:
    space = await _create(registry, auth, OWN, name="西软众创空间")
    response = await registry.get(
        f"/v1/spaces/{space['id']}", headers=auth("district_officer", OWN)
    )
    assert response.status_code == 200
    assert response.json()["name"] == "西软众创空间"
    assert response.headers["x-request-id"]


async def test_other_district_gets_the_same_404_as_for_nothing(registry, auth) -> None:
    space = await _create(registry, auth, OWN)
    other = auth("district_officer", OTHER)
    foreign = await registry.get(f"/v1/spaces/{space['id']}", headers=other)
    missing = await registry.get(f"/v1/spaces/{uuid.uuid4()}", headers=other)
    assert foreign.status_code == missing.status_code == 404
    foreign_body, missing_body = foreign.json(), missing.json()
    # Nothing in the answer tells "exists elsewhere" from "does not exist".
    assert foreign_body["type"] == missing_body["type"] == "urn:lzms:problem:space-not-found"
    assert foreign_body["title"] == missing_body["title"]
    assert space["name"] not in foreign.text
    assert OWN not in foreign.text


async def test_lists_show_only_own_jurisdiction(registry, auth) -> None:
    mine = {(await _create(registry, auth, OWN))["id"] for _ in range(3)}
    theirs = {(await _create(registry, auth, OTHER))["id"] for _ in range(2)}
    listed = await registry.get("/v1/spaces", headers=auth("district_officer", OWN))
    ids = {item["id"] for item in listed.json()["items"]}
    assert ids == mine
    # Filtering by the other jurisdiction yields nothing rather than an error that confirms it.
    filtered = await registry.get(
        f"/v1/spaces?jurisdiction_code={OTHER}", headers=auth("district_officer", OWN)
    )
    assert filtered.status_code == 200
    assert filtered.json()["items"] == []
    bureau = await registry.get("/v1/spaces", headers=auth("city_admin"))
    assert {item["id"] for item in bureau.json()["items"]} == mine | theirs


async def test_district_cannot_register_in_another_jurisdiction(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OTHER),
        headers=auth("district_officer", OWN),
    )
    assert response.status_code == 403
    bureau = await registry.get("/v1/spaces", headers=auth("city_admin"))
    assert bureau.json()["items"] == []


async def test_bureau_registers_anywhere_and_duplicates_are_refused(registry, auth) -> None:
    body = space_body(jurisdiction_code="LZGXQ", name="海逸众创空间")
    first = await registry.post("/v1/spaces", json=body, headers=auth("city_admin"))
    assert first.status_code == 201
    assert first.headers["location"] == f"/v1/spaces/{first.json()['id']}"
    again = await registry.post("/v1/spaces", json=body, headers=auth("city_admin"))
    assert again.status_code == 409
    assert again.json()["existing_id"] == first.json()["id"]
    # The same name in another jurisdiction is another space.
    elsewhere = await registry.post(
        "/v1/spaces", json={**body, "jurisdiction_code": "LZXQ"}, headers=auth("city_admin")
    )
    assert elsewhere.status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jurisdiction_code", "999999", "Input should be"),
        ("form", "floating", "Input should be"),
        ("name", "   ", "at least 1 character"),
        ("opened_on", "2024-02-30", "date"),
    ],
)
async def test_invalid_input_names_the_field(registry, auth, field, value, message) -> None:
    response = await registry.post(
        "/v1/spaces", json=space_body(**{field: value}), headers=auth("city_admin")
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [f"body.{field}"]
    assert message in errors[0]["message"]


async def test_opened_on_in_the_future_is_refused(registry, auth) -> None:
    from datetime import timedelta

    from shared.timezone import today_in_china

    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    response = await registry.post(
        "/v1/spaces", json=space_body(opened_on=tomorrow), headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.opened_on"
    today = await registry.post(
        "/v1/spaces",
        json=space_body(opened_on=today_in_china().isoformat()),
        headers=auth("city_admin"),
    )
    assert today.status_code == 201


async def test_jurisdictions_are_the_eleven(registry, auth) -> None:
    response = await registry.get("/v1/jurisdictions", headers=auth("district_officer", OWN))
    codes = [j["code"] for j in response.json()]
    assert codes == sorted(
        [
            "620102",
            "620103",
            "620104",
            "620105",
            "620111",
            "620121",
            "620122",
            "620123",
            "LZXQ",
            "LZGXQ",
            "LZJJQ",
        ]
    )
    names = {j["code"]: j["name_zh"] for j in response.json()}
    assert names["LZGXQ"] == "兰州高新区"
    assert names["620123"] == "榆中县"
