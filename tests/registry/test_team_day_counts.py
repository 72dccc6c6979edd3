"""The statistics' team rollup (team_day_counts) agrees with the teams themselves after joins,
graduations and exits in several districts, and the statistics read it per district."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from services.registry.teams.models import Team, TeamDayCount, TeamStatus
from shared.db import Database
from tests.conftest import space_body

DISTRICTS = ("620102", "620103", "LZGXQ")


async def _direct(database: Database) -> dict[tuple[str, date], tuple[int, int, int]]:
    """The rollup computed from scratch out of the teams and their spaces."""
    from services.registry.spaces.models import Space

    counts: dict[tuple[str, date], list[int]] = {}
    async with database.session() as session:
        rows = await session.execute(
            sa.select(Space.jurisdiction_code, Team.joined_on, Team.left_on, Team.status).join(
                Space, Space.id == Team.space_id
            )
        )
        for jurisdiction, joined_on, left_on, status in rows:
            counts.setdefault((jurisdiction, joined_on), [0, 0, 0])[0] += 1
            if left_on is not None:
                entry = counts.setdefault((jurisdiction, left_on), [0, 0, 0])
                entry[1] += 1
                entry[2] += status == TeamStatus.GRADUATED
    return {key: (a, b, c) for key, (a, b, c) in counts.items()}


async def _rollup(database: Database) -> dict[tuple[str, date], tuple[int, int, int]]:
    async with database.session() as session:
        rows = await session.execute(sa.select(TeamDayCount))
        return {
            (r.jurisdiction_code, r.day): (r.joined_count, r.left_count, r.graduated_count)
            for r in rows.scalars()
        }


async def test_rollup_agrees_with_the_teams(registry, auth, registry_app: FastAPI) -> None:
    admin = auth("city_admin")
    plan: list[tuple[str, str, str | None, str | None]] = [
        # (district, joined_on, graduated_on, exited_on)
        ("620102", "2024-05-01", "2025-01-10", None),
        ("620102", "2024-05-01", None, "2025-01-10"),
        ("620102", "2024-05-01", None, None),
        ("620103", "2024-05-01", "2024-05-01", None),  # graduates the day it joined
        ("620103", "2025-02-01", None, None),
        ("LZGXQ", "2024-06-15", None, "2025-03-01"),
    ]
    spaces: dict[str, str] = {}
    for district in DISTRICTS:
        created = await registry.post(
            "/v1/spaces", json=space_body(jurisdiction_code=district), headers=admin
        )
        spaces[district] = created.json()["id"]
    for n, (district, joined_on, graduated_on, exited_on) in enumerate(plan):
        base = f"/v1/spaces/{spaces[district]}/teams"
        team = await registry.post(
            base,
            json={"name": f"团队{n}", "field": "high_tech", "joined_on": joined_on},
            headers=auth("district_officer", district),
        )
        assert team.status_code == 201, team.text
        team_id = team.json()["id"]
        if graduated_on is not None:
            response = await registry.post(
                f"{base}/{team_id}/graduation",
                json={"graduated_on": graduated_on, "registered_enterprise_name": f"公司{n}"},
                headers=admin,
            )
            assert response.status_code in (200, 201), response.text
        if exited_on is not None:
            response = await registry.post(
                f"{base}/{team_id}/exit", json={"exited_on": exited_on}, headers=admin
            )
            assert response.status_code in (200, 201), response.text
    # A refused end changes nothing, the rollup included.
    refused = await registry.post(
        f"/v1/spaces/{spaces['620102']}/teams/{team_id}/exit",
        json={"exited_on": "2025-04-01"},
        headers=admin,
    )
    assert refused.status_code >= 400

    database: Database = registry_app.state.database
    assert await _rollup(database) == await _direct(database)

    async def teams(headers: dict[str, str], as_of: str) -> dict[str, Any]:
        response = await registry.get(
            "/v1/statistics", params={"as_of": as_of, "year": "2025"}, headers=headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json()["teams"])

    assert await teams(admin, "2025-06-30") == {
        "in_incubation": 2,
        "graduated": 2,
        "graduated_in_year": 1,
    }
    assert await teams(auth("district_officer", "620102"), "2025-01-09") == {
        "in_incubation": 3,
        "graduated": 0,
        "graduated_in_year": 0,
    }
    assert await teams(auth("district_officer", "620103"), "2025-06-30") == {
        "in_incubation": 1,
        "graduated": 1,
        "graduated_in_year": 0,
    }
