"""The bureau's move of a space to another jurisdiction (属地变更): who may, its dates, the
operator, who sees the space afterwards, and the team statistics on either side of the date."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from services.registry.spaces.models import Space
from services.registry.teams.models import Team, TeamDayCount, TeamStatus
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.test_operators import operator_body

OLD, NEW, THIRD = "620102", "620103", "LZGXQ"


async def _space(registry, auth, jurisdiction: str = OLD, **overrides: Any) -> dict[str, Any]:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, opened_on="2024-03-01", **overrides),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _operator(registry, auth, jurisdiction: str) -> str:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(jurisdiction_code=jurisdiction),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def move(**overrides: Any) -> dict[str, Any]:
    body = {
        "jurisdiction_code": NEW,
        "effective_on": "2024-10-01",
        "document_no": "兰科发〔2024〕12号",
        "reason": "行政区划调整",
    }
    body.update(overrides)
    return body


async def _move(registry, auth, space_id: str, **overrides: Any):
    return await registry.post(
        f"/v1/spaces/{space_id}/jurisdiction-changes",
        json=move(**overrides),
        headers=auth("city_admin", sub="bureau-officer"),
    )


async def _unchanged(registry, auth, space: dict[str, Any]) -> None:
    read = (await registry.get(f"/v1/spaces/{space['id']}", headers=auth("auditor"))).json()
    assert (read["jurisdiction_code"], read["version"]) == (space["jurisdiction_code"], 1)
    changes = await registry.get(
        f"/v1/spaces/{space['id']}/jurisdiction-changes", headers=auth("auditor")
    )
    assert changes.json()["items"] == []


def _day(offset: int) -> str:
    return (today_in_china() + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize("role", ["district_officer", "auditor", "finance_officer", "service"])
async def test_only_the_bureau_moves_a_space(registry, auth, role) -> None:
    space = await _space(registry, auth)
    response = await registry.post(
        f"/v1/spaces/{space['id']}/jurisdiction-changes",
        json=move(),
        headers=auth(role, OLD if role == "district_officer" else None),
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    await _unchanged(registry, auth, space)


async def test_a_move_changes_who_sees_the_space_and_is_recorded(registry, auth) -> None:
    space = await _space(registry, auth)
    response = await _move(registry, auth, space["id"])
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    change = response.json()
    assert (change["from_code"], change["to_code"], change["seq"]) == (OLD, NEW, 1)
    assert change["effective_on"] == "2024-10-01"
    assert change["recorded_by"] == "bureau-officer"
    old_officer, new_officer = auth("district_officer", OLD), auth("district_officer", NEW)
    gone = await registry.get(f"/v1/spaces/{space['id']}", headers=old_officer)
    assert gone.status_code == 404
    assert space["name"] not in gone.text
    listed = (await registry.get("/v1/spaces?limit=200", headers=old_officer)).json()
    assert space["id"] not in {s["id"] for s in listed["items"]}
    patch = await registry.patch(
        f"/v1/spaces/{space['id']}",
        json={"name": "旧区改名"},
        headers={**old_officer, "If-Match": '"2"'},
    )
    assert patch.status_code == 404
    seen = await registry.get(f"/v1/spaces/{space['id']}", headers=new_officer)
    assert seen.status_code == 200
    assert (seen.json()["jurisdiction_code"], seen.json()["version"]) == (NEW, 2)
    assert seen.headers["etag"] == '"2"'
    listed = (await registry.get("/v1/spaces?limit=200", headers=new_officer)).json()
    assert space["id"] in {s["id"] for s in listed["items"]}
    versions = (
        await registry.get(f"/v1/spaces/{space['id']}/versions", headers=new_officer)
    ).json()["items"]
    assert [(v["kind"], v["jurisdiction_code"], v["changed"]) for v in versions] == [
        ("registered", OLD, []),
        ("jurisdiction_change", NEW, ["jurisdiction_code"]),
    ]
    history = await registry.get(
        f"/v1/spaces/{space['id']}/jurisdiction-changes", headers=new_officer
    )
    assert [c["id"] for c in history.json()["items"]] == [change["id"]]
    audit = (await registry.get("/v1/audit-log?limit=200", headers=auth("auditor"))).json()
    record = next(r for r in audit["items"] if r["object_id"] == change["id"])
    details = json.loads(record["details"])
    assert (details["from_code"], details["to_code"], details["document_no"]) == (
        OLD,
        NEW,
        "兰科发〔2024〕12号",
    )
    assert record["object_type"] == "space_jurisdiction_change"


async def test_effective_date_edges(registry, auth) -> None:
    space = await _space(registry, auth)  # opened 2024-03-01
    for effective_on, fragment in [(_day(1), "future"), ("2024-02-29", "before the space opened")]:
        response = await _move(registry, auth, space["id"], effective_on=effective_on)
        assert response.status_code == 422, effective_on
        error = response.json()["errors"][0]
        assert error["field"] == "body.effective_on"
        assert fragment in error["message"]
    await _unchanged(registry, auth, space)
    on_opening = await _move(registry, auth, space["id"], effective_on="2024-03-01")
    assert on_opening.status_code == 201, on_opening.text
    today = await _move(registry, auth, space["id"], jurisdiction_code=THIRD, effective_on=_day(0))
    assert today.status_code == 201, today.text


async def test_moves_are_recorded_in_date_order(registry, auth) -> None:
    space = await _space(registry, auth)
    assert (await _move(registry, auth, space["id"], effective_on="2024-10-01")).status_code == 201
    earlier = await _move(
        registry, auth, space["id"], jurisdiction_code=THIRD, effective_on="2024-09-30"
    )
    assert earlier.status_code == 422
    assert earlier.json()["errors"][0]["field"] == "body.effective_on"
    same_day = await _move(
        registry, auth, space["id"], jurisdiction_code=THIRD, effective_on="2024-10-01"
    )
    assert same_day.status_code == 201
    back = await _move(
        registry, auth, space["id"], jurisdiction_code=OLD, effective_on="2024-11-01"
    )
    assert back.status_code == 201
    assert back.json()["seq"] == 3
    assert back.headers["etag"] == '"4"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jurisdiction_code": OLD}, "body.jurisdiction_code"),  # already there
        ({"jurisdiction_code": "620199"}, "body.jurisdiction_code"),
        ({"document_no": " "}, "body.document_no"),
        ({"reason": None}, "body.reason"),
        ({"effective_on": "2024-13-01"}, "body.effective_on"),
        ({"extra": 1}, "body.extra"),
    ],
)
async def test_bad_moves_name_the_field(registry, auth, body, field) -> None:
    space = await _space(registry, auth)
    response = await _move(registry, auth, space["id"], **body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    await _unchanged(registry, auth, space)


async def test_the_operator_must_be_in_the_new_jurisdiction(registry, auth) -> None:
    old_operator = await _operator(registry, auth, OLD)
    space = await _space(registry, auth, operator_id=old_operator)
    refused = await _move(registry, auth, space["id"])
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "urn:lzms:problem:space-operator-in-other-jurisdiction"
    assert problem["operator_jurisdiction_code"] == OLD
    assert problem["field"] == "body.operator_id"
    assert problem["operator_id"] == old_operator
    assert OLD in problem["detail"]
    await _unchanged(registry, auth, space)
    third_operator = await _operator(registry, auth, THIRD)
    wrong = await _move(registry, auth, space["id"], operator_id=third_operator)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.operator_id"
    await _unchanged(registry, auth, space)
    new_operator = await _operator(registry, auth, NEW)
    moved = await _move(registry, auth, space["id"], operator_id=new_operator)
    assert moved.status_code == 201, moved.text
    assert moved.json()["operator_id_before"] == old_operator
    assert moved.json()["operator_id_after"] == new_operator
    read = (await registry.get(f"/v1/spaces/{space['id']}", headers=auth("auditor"))).json()
    assert read["operator_id"] == new_operator
    versions = (
        await registry.get(f"/v1/spaces/{space['id']}/versions", headers=auth("auditor"))
    ).json()["items"]
    assert versions[-1]["changed"] == ["jurisdiction_code", "operator_id"]
    # The old operator runs no space outside its jurisdiction now: it may move freely.


async def test_a_name_taken_in_the_new_jurisdiction_is_refused(registry, auth) -> None:
    await _space(registry, auth, NEW, name="同名众创空间")
    space = await _space(registry, auth, name="同名众创空间")
    response = await _move(registry, auth, space["id"])
    assert response.status_code == 409
    assert response.json()["type"] == "urn:lzms:problem:space-duplicate"
    assert response.json()["field"] == "body.jurisdiction_code"
    await _unchanged(registry, auth, space)


async def test_a_stale_if_match_on_a_move_is_412(registry, auth) -> None:
    space = await _space(registry, auth)
    response = await registry.post(
        f"/v1/spaces/{space['id']}/jurisdiction-changes",
        json=move(),
        headers={**auth("city_admin"), "If-Match": '"5"'},
    )
    assert response.status_code == 412
    assert response.headers["etag"] == '"1"'
    await _unchanged(registry, auth, space)


async def _team(registry, auth, space_id: str, jurisdiction: str, joined_on: str) -> str:
    response = await registry.post(
        f"/v1/spaces/{space_id}/teams",
        json={"name": f"团队-{joined_on}", "field": "high_tech", "joined_on": joined_on},
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _teams(registry, auth, jurisdiction: str, as_of: str) -> tuple[int, int, int]:
    response = await registry.get(
        "/v1/statistics", params={"as_of": as_of}, headers=auth("district_officer", jurisdiction)
    )
    assert response.status_code == 200, response.text
    teams = response.json()["teams"]
    return teams["in_incubation"], teams["graduated"], teams["graduated_in_year"]


async def _rollup_agrees(registry_app: FastAPI) -> None:
    """Per jurisdiction, the rollup's teams in incubation today are the current spaces' teams."""
    database = registry_app.state.database
    async with database.session() as session:
        rows = await session.execute(
            sa.select(Space.jurisdiction_code, sa.func.count())
            .join(Team, Team.space_id == Space.id)
            .where(Team.status == TeamStatus.IN_INCUBATION)
            .group_by(Space.jurisdiction_code)
        )
        direct = {code: int(n) for code, n in rows}
        rows = await session.execute(
            sa.select(
                TeamDayCount.jurisdiction_code,
                sa.func.sum(
                    TeamDayCount.joined_count
                    + TeamDayCount.moved_in_count
                    - TeamDayCount.left_count
                    - TeamDayCount.moved_out_count
                ),
            ).group_by(TeamDayCount.jurisdiction_code)
        )
        rolled = {code: int(n) for code, n in rows if n}
    assert rolled == direct


async def test_team_statistics_follow_the_space_from_the_move_date(
    registry, auth, registry_app: FastAPI
) -> None:
    space = await _space(registry, auth)
    other = await _space(registry, auth)  # stays in OLD: its team must stay counted there
    await _team(registry, auth, other["id"], OLD, "2024-04-01")
    staying = await _team(registry, auth, space["id"], OLD, "2024-05-01")
    leaving = await _team(registry, auth, space["id"], OLD, "2024-05-01")
    exit_ = await registry.post(
        f"/v1/spaces/{space['id']}/teams/{leaving}/exit",
        json={"exited_on": "2024-09-01"},
        headers=auth("district_officer", OLD),
    )
    assert exit_.status_code in (200, 201), exit_.text
    # Recorded before the bureau's move, but dated after its effective day.
    await _team(registry, auth, space["id"], OLD, "2024-10-15")
    assert await _teams(registry, auth, OLD, "2024-10-31") == (3, 0, 0)

    moved = await _move(registry, auth, space["id"], effective_on="2024-10-01")
    assert moved.status_code == 201, moved.text
    # Recorded by the new district after the move, dated before it: the old one's then.
    await _team(registry, auth, space["id"], NEW, "2024-06-01")
    graduation = await registry.post(
        f"/v1/spaces/{space['id']}/teams/{staying}/graduation",
        json={"graduated_on": "2024-12-01", "registered_enterprise_name": "兰州某科技有限公司"},
        headers=auth("district_officer", NEW),
    )
    assert graduation.status_code in (200, 201), graduation.text

    # The day before the move: the space's two teams in incubation (and the other space's) in
    # the old jurisdiction, none in the new.
    assert await _teams(registry, auth, OLD, "2024-09-30") == (3, 0, 0)
    assert await _teams(registry, auth, NEW, "2024-09-30") == (0, 0, 0)
    # Exactly on the move's day: the space's teams are the new jurisdiction's.
    assert await _teams(registry, auth, OLD, "2024-10-01") == (1, 0, 0)
    assert await _teams(registry, auth, NEW, "2024-10-01") == (2, 0, 0)
    assert await _teams(registry, auth, NEW, "2024-10-15") == (3, 0, 0)
    # The graduation after the move counts where the space is managed then.
    assert await _teams(registry, auth, NEW, "2024-12-01") == (2, 1, 1)
    assert await _teams(registry, auth, OLD, "2024-12-01") == (1, 0, 0)
    bureau = await registry.get(
        "/v1/statistics", params={"as_of": "2024-12-01"}, headers=auth("city_admin")
    )
    assert bureau.json()["teams"]["in_incubation"] == 3
    await _rollup_agrees(registry_app)

    # And back again: the counts follow a second move too.
    back = await _move(
        registry, auth, space["id"], jurisdiction_code=OLD, effective_on="2025-01-01"
    )
    assert back.status_code == 201, back.text
    assert await _teams(registry, auth, NEW, "2024-12-31") == (2, 1, 1)
    assert await _teams(registry, auth, NEW, "2025-01-01") == (0, 1, 0)
    assert await _teams(registry, auth, OLD, "2025-01-01") == (3, 0, 0)
    await _rollup_agrees(registry_app)


async def test_a_team_joining_while_the_space_moves_is_counted_once(
    registry, auth, registry_app: FastAPI
) -> None:
    space = await _space(registry, auth)
    await _team(registry, auth, space["id"], OLD, "2024-05-01")
    moved, joined = await asyncio.gather(
        _move(registry, auth, space["id"], effective_on="2024-10-01"),
        registry.post(
            f"/v1/spaces/{space['id']}/teams",
            json={"name": "同时入孵团队", "field": "modern_service", "joined_on": "2024-06-01"},
            headers=auth("city_admin"),
        ),
    )
    assert (moved.status_code, joined.status_code) == (201, 201), (moved.text, joined.text)
    assert await _teams(registry, auth, OLD, "2024-09-30") == (2, 0, 0)
    assert await _teams(registry, auth, NEW, "2024-10-01") == (2, 0, 0)
    assert await _teams(registry, auth, OLD, "2024-10-01") == (0, 0, 0)
    await _rollup_agrees(registry_app)
