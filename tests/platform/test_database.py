"""The database layer: SQLite configured for safety, one transaction per request on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import Database
from tests.conftest import space_body


async def test_sqlite_runs_with_wal_and_foreign_keys(databases) -> None:
    import asyncio

    database = Database(await asyncio.to_thread(databases.migrated, "registry", "sqlite"))
    try:
        async with database.engine.connect() as connection:
            journal = (await connection.execute(sa.text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await connection.execute(sa.text("PRAGMA foreign_keys"))).scalar()
            # A space in a jurisdiction that does not exist is refused by the database itself.
            refused = None
            try:
                await connection.execute(
                    sa.text(
                        "INSERT INTO spaces (id, name, jurisdiction_code, form, profile, "
                        "opened_on, created_at, created_by) VALUES ("
                        "'0123456789abcdef0123456789abcdef', 'x', '999999', 'virtual', "
                        "'culture', '2024-01-01', '2024-01-01 00:00:00', 't')"
                    )
                )
            except sa.exc.IntegrityError as exc:
                refused = exc
    finally:
        await database.dispose()
    assert journal == "wal"
    assert foreign_keys == 1
    assert refused is not None


async def test_committed_before_the_response_is_sent(registry_app, registry, auth) -> None:
    """Once the caller has its 201, a separate connection already sees the row."""
    created = await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    assert created.status_code == 201
    database: Database = registry_app.state.database
    async with database.engine.connect() as connection:
        count = (await connection.execute(sa.text("SELECT count(*) FROM spaces"))).scalar()
    assert count == 1


async def test_a_refused_request_changes_nothing(registry_app, registry, auth) -> None:
    await registry.post("/v1/spaces", json=space_body(name="同名"), headers=auth("city_admin"))
    duplicate = await registry.post(
        "/v1/spaces", json=space_body(name="同名"), headers=auth("city_admin")
    )
    assert duplicate.status_code == 409
    async with registry_app.state.database.engine.connect() as connection:
        count = (await connection.execute(sa.text("SELECT count(*) FROM spaces"))).scalar()
    assert count == 1
