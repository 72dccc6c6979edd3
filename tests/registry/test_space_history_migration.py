"""Migration 0009 on a registry that already holds spaces and teams: each space gets its first
version (its state now, by whoever registered it, from when), and the team rollup's new move
counts start at zero."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from shared import migrate
from shared.db import create_engine


async def _run(url: str, statements: list[tuple[str, dict[str, object]]]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement, params in statements:
                await connection.execute(sa.text(statement), params)
    finally:
        await engine.dispose()


async def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(sa.text(query))).all()]
    finally:
        await engine.dispose()


async def test_existing_spaces_get_their_first_version(databases, backend) -> None:
    url = await asyncio.to_thread(databases.empty, "registry", backend)
    await asyncio.to_thread(migrate.upgrade, "registry", url, "0008")
    space_id = uuid.uuid4()
    stored_id = space_id.hex if backend == "sqlite" else str(space_id)
    await _run(
        url,
        [
            (
                "INSERT INTO spaces (id, name, jurisdiction_code, form, profile, opened_on, "
                "created_at, created_by) VALUES (:id, '老众创空间', '620102', 'comprehensive', "
                "'culture', '2020-01-01', '2020-01-02 03:04:05+00:00', 'pilot-officer')",
                {"id": stored_id},
            ),
            (
                "INSERT INTO team_day_counts (jurisdiction_code, day, joined_count, left_count, "
                "graduated_count) VALUES ('620102', '2020-02-01', 3, 1, 0)",
                {},
            ),
        ],
    )
    await asyncio.to_thread(migrate.upgrade, "registry", url, "head")
    versions = await _rows(
        url,
        "SELECT version, kind, changed, name, address, jurisdiction_code, recorded_by "
        "FROM space_versions",
    )
    assert versions == [(1, "registered", "", "老众创空间", None, "620102", "pilot-officer")]
    spaces = await _rows(url, "SELECT version, address FROM spaces")
    assert spaces == [(1, None)]
    counts = await _rows(url, "SELECT moved_in_count, moved_out_count FROM team_day_counts")
    assert counts == [(0, 0)]
