"""Correcting a space (PATCH with ETag / If-Match, a new version each time, the old kept) and
its address."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.test_operators import operator_body

OWN, OTHER = "620102", "620103"


async def _space(registry, auth, jurisdiction: str = OWN, **overrides: Any) -> dict[str, Any]:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, **overrides),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _operator(registry, auth, jurisdiction: str = OWN) -> str:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(jurisdiction_code=jurisdiction),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _patch(registry, headers, space_id: str, body: dict, if_match: str | None = '"1"'):
    extra = {} if if_match is None else {"If-Match": if_match}
    return await registry.patch(f"/v1/spaces/{space_id}", json=body, headers={**headers, **extra})


async def _versions(registry, auth, space_id: str) -> list[dict[str, Any]]:
    response = await registry.get(f"/v1/spaces/{space_id}/versions", headers=auth("auditor"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _day(offset: int) -> str:
    return (today_in_china() + timedelta(days=offset)).isoformat()


async def test_address_is_optional_on_registration_and_shown(registry, auth) -> None:
    with_address = await _space(registry, auth, address="  兰州市城关区张掖路1号  ")
    assert with_address["address"] == "兰州市城关区张掖路1号"
    assert with_address["version"] == 1
    without = await _space(registry, auth)
    assert without["address"] is None
    too_long = await registry.post(
        "/v1/spaces", json=space_body(address="路" * 501), headers=auth("city_admin")
    )
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["body.address"]


async def test_registration_and_read_carry_the_etag(registry, auth) -> None:
    response = await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    assert response.headers["etag"] == '"1"'
    read = await registry.get(f"/v1/spaces/{response.json()['id']}", headers=auth("auditor"))
    assert read.headers["etag"] == '"1"'


async def test_without_if_match_is_428_and_changes_nothing(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", OWN)
    for if_match in (None, "*", " "):
        response = await _patch(registry, officer, space["id"], {"name": "新名"}, if_match)
        assert response.status_code == 428, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:lzms:problem:precondition-required"
        assert "If-Match" in response.json()["detail"]
        assert response.json()["field"] == "header.If-Match"
    read = await registry.get(f"/v1/spaces/{space['id']}", headers=officer)
    assert read.json()["name"] == space["name"]
    assert read.json()["version"] == 1


async def test_a_correction_makes_a_new_version_and_keeps_the_old(registry, auth) -> None:
    space = await _space(registry, auth, name="旧名众创空间", opened_on="2024-03-01")
    officer = auth("district_officer", OWN, sub="officer-7")
    response = await _patch(
        registry,
        officer,
        space["id"],
        {"name": "新名众创空间", "address": "兰州市城关区东岗西路2号", "form": "virtual"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert (body["name"], body["address"], body["form"], body["version"]) == (
        "新名众创空间",
        "兰州市城关区东岗西路2号",
        "virtual",
        2,
    )
    assert body["status"] == "applicant"
    assert (await registry.get(f"/v1/spaces/{space['id']}", headers=officer)).headers[
        "etag"
    ] == '"2"'
    weak = await _patch(registry, officer, space["id"], {"profile": "culture"}, 'W/"2"')
    assert weak.status_code == 200
    assert weak.headers["etag"] == '"3"'
    versions = await _versions(registry, auth, space["id"])
    assert [(v["version"], v["kind"], v["changed"]) for v in versions] == [
        (1, "registered", []),
        (2, "correction", ["name", "address", "form"]),
        (3, "correction", ["profile"]),
    ]
    assert [v["name"] for v in versions] == ["旧名众创空间", "新名众创空间", "新名众创空间"]
    assert versions[0]["address"] is None
    assert versions[0]["recorded_by"] == "test-district_officer-620102"
    assert versions[1]["recorded_by"] == "officer-7"
    assert versions[0]["valid_from"] == space["created_at"]
    assert versions[0]["valid_from"] < versions[1]["valid_from"] <= versions[2]["valid_from"]
    audit = (await registry.get("/v1/audit-log?limit=200", headers=auth("auditor"))).json()
    details = [json.loads(r["details"]) for r in audit["items"] if r["object_id"] == space["id"]]
    assert details[-1]["changed"] == ["profile"]
    assert details[-2]["changed"] == ["name", "address", "form"]


async def test_stale_if_match_is_412_with_the_current_version(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", OWN)
    assert (await _patch(registry, officer, space["id"], {"name": "甲改"})).status_code == 200
    stale = await _patch(registry, officer, space["id"], {"name": "乙改"})
    assert stale.status_code == 412
    assert stale.json()["type"] == "urn:lzms:problem:space-version-stale"
    assert stale.json()["current_version"] == 2
    assert stale.json()["field"] == "header.If-Match"
    assert stale.headers["etag"] == '"2"'
    for bad in ('"7"', "1", "garbage"):
        assert (await _patch(registry, officer, space["id"], {"name": "x"}, bad)).status_code == 412
    current = (await registry.get(f"/v1/spaces/{space['id']}", headers=officer)).json()
    assert (current["name"], current["version"]) == ("甲改", 2)


async def test_concurrent_corrections_with_the_same_if_match_one_wins(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", OWN)
    responses = await asyncio.gather(
        *(_patch(registry, officer, space["id"], {"name": f"并发改名-{i}"}) for i in range(2))
    )
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    versions = await _versions(registry, auth, space["id"])
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["name"] == winner["name"]


async def test_a_correction_that_changes_nothing_adds_no_version(registry, auth) -> None:
    space = await _space(registry, auth)
    same = await _patch(
        registry, auth("city_admin"), space["id"], {"name": space["name"], "form": space["form"]}
    )
    assert same.status_code == 200
    assert same.headers["etag"] == '"1"'
    assert len(await _versions(registry, auth, space["id"])) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "body.name"),
        ({"address": None}, "body.address"),
        ({"opened_on": None}, "body.opened_on"),
        ({"name": "  "}, "body.name"),
        ({"form": "mobile"}, "body.form"),
        ({"jurisdiction_code": OTHER}, "body.jurisdiction_code"),
        ({"status": "recognised"}, "body.status"),
    ],
)
async def test_bad_fields_are_named_and_change_nothing(registry, auth, body, field) -> None:
    space = await _space(registry, auth)
    response = await _patch(registry, auth("city_admin"), space["id"], body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert len(await _versions(registry, auth, space["id"])) == 1


async def test_name_stays_unique_within_the_jurisdiction(registry, auth) -> None:
    taken = await _space(registry, auth, name="已有众创空间")
    await _space(registry, auth, OTHER, name="别区众创空间")
    space = await _space(registry, auth)
    officer = auth("district_officer", OWN)
    clash = await _patch(registry, officer, space["id"], {"name": "已有众创空间"})
    assert clash.status_code == 409
    assert clash.json()["type"] == "urn:lzms:problem:space-duplicate"
    assert clash.json()["existing_id"] == taken["id"]
    assert clash.json()["field"] == "body.name"
    # A name used in another jurisdiction is free here.
    assert (
        await _patch(registry, officer, space["id"], {"name": "别区众创空间"})
    ).status_code == 200


async def test_operator_must_be_visible_and_in_the_space_jurisdiction(registry, auth) -> None:
    space = await _space(registry, auth)
    own_operator = await _operator(registry, auth, OWN)
    other_operator = await _operator(registry, auth, OTHER)
    officer = auth("district_officer", OWN)
    hidden = await _patch(registry, officer, space["id"], {"operator_id": other_operator})
    assert hidden.status_code == 422
    assert hidden.json()["errors"][0]["field"] == "body.operator_id"
    assert OTHER not in hidden.text
    # The bureau sees the operator, and is told where it is managed.
    elsewhere = await _patch(
        registry, auth("city_admin"), space["id"], {"operator_id": other_operator}
    )
    assert elsewhere.status_code == 422
    assert OTHER in elsewhere.json()["errors"][0]["message"]
    ok = await _patch(registry, officer, space["id"], {"operator_id": own_operator})
    assert ok.status_code == 200
    assert ok.json()["operator_id"] == own_operator


async def test_opened_on_not_in_the_future(registry, auth) -> None:
    space = await _space(registry, auth, opened_on="2024-03-01")
    admin = auth("city_admin")
    tomorrow = await _patch(registry, admin, space["id"], {"opened_on": _day(1)})
    assert tomorrow.status_code == 422
    assert tomorrow.json()["errors"][0]["field"] == "body.opened_on"
    today = await _patch(registry, admin, space["id"], {"opened_on": _day(0)})
    assert today.status_code == 200, today.text


@pytest.mark.parametrize(
    ("record", "path", "body", "what"),
    [
        (
            "team",
            "teams",
            {"name": "团队", "field": "high_tech", "joined_on": "2024-05-01"},
            "team joined",
        ),
        (
            "activity",
            "activities",
            {"kind": "salon", "title": "沙龙", "held_on": "2024-05-01", "attendance": 5},
            "activity held",
        ),
        (
            "recognition",
            "recognition",
            {"effective_on": "2024-05-01", "document_no": "兰科发〔2024〕5号"},
            "status act effective",
        ),
    ],
)
async def test_opened_on_not_after_a_record_dated_from_it(
    registry, auth, record, path, body, what
) -> None:
    space = await _space(registry, auth, opened_on="2024-03-01")
    created = await registry.post(
        f"/v1/spaces/{space['id']}/{path}", json=body, headers=auth("city_admin")
    )
    assert created.status_code in (200, 201), created.text
    officer = auth("district_officer", OWN)
    late = await _patch(registry, officer, space["id"], {"opened_on": "2024-05-02"})
    assert late.status_code == 409, late.text
    problem = late.json()
    assert problem["type"] == "urn:lzms:problem:space-opened-after-records"
    assert problem["field"] == "body.opened_on"
    assert problem["record"] == what
    assert problem["record_date"] == "2024-05-01"
    assert "2024-05-01" in problem["detail"]
    assert (await registry.get(f"/v1/spaces/{space['id']}", headers=officer)).json()[
        "opened_on"
    ] == "2024-03-01"
    # Exactly the record's day is fine.
    on = await _patch(registry, officer, space["id"], {"opened_on": "2024-05-01"})
    assert on.status_code == 200, on.text


async def test_an_earlier_opened_on_moves_the_applicant_period_with_it(registry, auth) -> None:
    space = await _space(registry, auth, opened_on="2024-03-01")
    admin = auth("city_admin")
    earlier = await _patch(registry, admin, space["id"], {"opened_on": "2023-12-01"})
    assert earlier.status_code == 200
    assert earlier.json()["status_since"] == "2023-12-01"
    standing = await registry.get(
        f"/v1/spaces/{space['id']}/standing", params={"as_of": "2023-12-01"}, headers=admin
    )
    assert standing.status_code == 200, standing.text
    assert standing.json()["status"] == "applicant"
    assert standing.json()["status_since"] == "2023-12-01"
    before = await registry.get(
        f"/v1/spaces/{space['id']}/standing", params={"as_of": "2023-11-30"}, headers=admin
    )
    assert before.status_code == 200, before.text
    assert (before.json()["opened"], before.json()["status_since"]) == (False, "2023-12-01")
    stats = await registry.get(
        "/v1/statistics", params={"as_of": "2023-12-01", "jurisdiction_code": OWN}, headers=admin
    )
    assert stats.json()["spaces"]["by_status"]["applicant"] >= 1
    # Recognition may now take effect from the corrected opening day.
    recognised = await registry.post(
        f"/v1/spaces/{space['id']}/recognition",
        json={"effective_on": "2023-12-01", "document_no": "兰科发〔2023〕9号"},
        headers=admin,
    )
    assert recognised.status_code in (200, 201), recognised.text


async def test_who_may_correct(registry, auth) -> None:
    space = await _space(registry, auth)
    for role in ("auditor", "finance_officer", "service"):
        response = await _patch(registry, auth(role), space["id"], {"name": "改名"})
        assert response.status_code == 403, role
    other = await _patch(registry, auth("district_officer", OTHER), space["id"], {"name": "改名"})
    assert other.status_code == 404
    assert space["name"] not in other.text
    bureau = await _patch(registry, auth("city_admin"), space["id"], {"name": "局改名"})
    assert bureau.status_code == 200
    hidden = await registry.get(
        f"/v1/spaces/{space['id']}/versions", headers=auth("district_officer", OTHER)
    )
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE space_versions SET name = 'rewritten'",
        "DELETE FROM space_versions",
        "UPDATE space_jurisdiction_changes SET reason = 'rewritten'",
        "DELETE FROM space_jurisdiction_changes",
    ],
)
async def test_database_refuses_to_rewrite_history(registry_app, registry, auth, statement) -> None:
    space = await _space(registry, auth)
    moved = await registry.post(
        f"/v1/spaces/{space['id']}/jurisdiction-changes",
        json={
            "jurisdiction_code": OTHER,
            "effective_on": "2024-06-01",
            "document_no": "兰科发〔2024〕3号",
            "reason": "区划调整",
        },
        headers=auth("city_admin"),
    )
    assert moved.status_code == 201, moved.text
    with pytest.raises(DBAPIError, match="append-only"):
        async with registry_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    versions = await _versions(registry, auth, space["id"])
    assert [v["name"] for v in versions] == [space["name"], space["name"]]


async def test_a_space_written_without_a_version_keeps_its_state(
    registry_app, registry, auth
) -> None:
    """Spaces the scale seed writes straight into the table have no version row: the first
    correction records the state it replaces before the new one."""
    space = await _space(registry, auth, name="种子众创空间")
    async with registry_app.state.database.engine.begin() as connection:
        # Only possible by recreating the row; the API never leaves a space without history.
        drop = (
            "DROP TRIGGER space_versions_no_delete"
            if _is_sqlite(registry_app)
            else "DROP TRIGGER space_versions_append_only ON space_versions"
        )
        await connection.execute(sa.text(drop))
        await connection.execute(
            sa.text("DELETE FROM space_versions WHERE space_id = :id"),
            {"id": uuid.UUID(space["id"]).hex if _is_sqlite(registry_app) else space["id"]},
        )
    assert await _versions(registry, auth, space["id"]) == []
    response = await _patch(registry, auth("city_admin"), space["id"], {"name": "改后众创空间"})
    assert response.status_code == 200, response.text
    versions = await _versions(registry, auth, space["id"])
    assert [(v["version"], v["kind"], v["name"]) for v in versions] == [
        (1, "registered", "种子众创空间"),
        (2, "correction", "改后众创空间"),
    ]
    assert versions[0]["recorded_by"] == space["created_by"]


def _is_sqlite(app: Any) -> bool:
    return bool(app.state.database.engine.dialect.name == "sqlite")
