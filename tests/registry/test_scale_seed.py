"""The national-scale generator (``make seed-scale``) at a tiny scale: every row it writes passes
the database's constraints, the API reads what it wrote, and the same seed gives the same rows."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from stdnum.cn import uscc as stdnum_uscc

from services.registry.spaces.repository import (
    FIRST_PAGE_SQL_POSTGRESQL,
    SPACE_BY_ID_SQL_POSTGRESQL,
)
from services.registry.spaces.schemas import SpaceOut
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.bench.registry_seed import Generator, Scale, asyncpg_dsn, load, uscc_with_check
from tests.conftest import AppFactory, DatabaseFactory, client_for

TINY = Scale(spaces=40, teams=2_000, activities=300)


def test_check_character_agrees_with_stdnum() -> None:
    for body in ("91620102MA7ABCDE1", "12620100000000012", "5262012300QWERTY0"):
        assert uscc_with_check(body) == body + stdnum_uscc.calc_check_digit(body)


def test_same_seed_same_rows() -> None:
    first, second = Generator(7, TINY), Generator(7, TINY)
    assert first.operators_and_spaces() == second.operators_and_spaces()
    assert first.history() == second.history()
    assert next(first.teams()) == next(second.teams())


@pytest.mark.backends("postgresql")
async def test_tiny_seed_loads_and_reads(
    backend: str, databases: DatabaseFactory, make_app: AppFactory
) -> None:
    url = await asyncio.to_thread(databases.migrated, "registry", backend)
    counts = await load(url, 1, TINY, progress=False)
    assert counts["spaces"] == TINY.spaces
    assert counts["teams"] == TINY.teams
    assert counts["activities"] == TINY.activities
    # Every team has its joining event, and one more for each that left.
    assert counts["team_events"] >= TINY.teams

    app = await make_app("registry", database_url=url)
    token = issue_token(app.state.settings, role=Role.CITY_ADMIN, subject="test-seed")
    headers = {"Authorization": f"Bearer {token}"}
    async with client_for(app) as client:
        seen = 0
        cursor: str | None = None
        while True:
            params = {"limit": "15"} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/spaces", params=params, headers=headers)).json()
            seen += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == TINY.spaces
        space_id = page["items"][-1]["id"]
        facts = await client.get(
            f"/v1/spaces/{space_id}/facts", params={"as_of": "2026-11-01"}, headers=headers
        )
        assert facts.status_code == 200, facts.text
        statistics = await client.get(
            "/v1/statistics", params={"as_of": "2026-11-01"}, headers=headers
        )
        assert statistics.status_code == 200, statistics.text
        figures = statistics.json()
        assert figures["spaces"]["total"] == TINY.spaces
        assert figures["spaces"]["by_status"]["recognised"] > 0
        assert figures["levels"]["municipal_or_above"] > 0
        assert 0 < figures["teams"]["in_incubation"] < TINY.teams
        first = (await client.get("/v1/spaces", params={"limit": "50"}, headers=headers)).json()
        one = (await client.get(f"/v1/spaces/{space_id}", headers=headers)).json()
    # The statistics read the rollup the seed filled: it agrees with the teams themselves.
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        direct = await connection.fetchval(
            "SELECT count(*) FROM teams WHERE joined_on <= '2026-11-01' "
            "AND (left_on IS NULL OR left_on > '2026-11-01')"
        )
        # What the benchmark sends bare as its baselines is what the two reads send.
        bare_page = await connection.fetch(FIRST_PAGE_SQL_POSTGRESQL, 51)
        bare_one = await connection.fetchrow(SPACE_BY_ID_SQL_POSTGRESQL, uuid.UUID(space_id))
    finally:
        await connection.close()
    assert figures["teams"]["in_incubation"] == direct
    assert [str(row["id"]) for row in bare_page[:50]] == [item["id"] for item in first["items"]]
    assert SpaceOut.model_validate(dict(bare_one)).model_dump(mode="json") == one
