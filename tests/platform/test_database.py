"""The database layer: SQLite configured for safety, one transaction per request on both engines."""

from __future__ import annotations

import pytest
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


async def _kill_backends(url: str) -> None:
    """Terminate every server process serving ``url``'s database but the caller's own."""
    import asyncpg

    database = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()


@pytest.mark.backends("postgresql")
async def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(databases, backend) -> None:
    """Idle past the threshold, a connection the server dropped never reaches a request."""
    import asyncio

    url = await asyncio.to_thread(databases.migrated, "registry", backend)
    database = Database(url, ping_after_idle_seconds=0.0)
    try:
        async with database.engine.connect() as connection:
            before = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
        await _kill_backends(url)
        async with database.engine.connect() as connection:
            after = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
    finally:
        await database.dispose()
    assert after != before


@pytest.mark.backends("postgresql")
async def test_a_connection_used_a_moment_ago_is_not_pinged(databases, backend) -> None:
    """Within the idle window there is no extra round trip: a connection the server dropped is
    met by the request (which fails), and the pool then reconnects for the next one."""
    import asyncio

    url = await asyncio.to_thread(databases.migrated, "registry", backend)
    database = Database(url, ping_after_idle_seconds=3600.0)
    try:
        async with database.engine.connect() as connection:
            before = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
        await _kill_backends(url)
        failed = None
        try:
            async with database.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except sa.exc.DBAPIError as exc:
            failed = exc
        async with database.engine.connect() as connection:
            after = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
    finally:
        await database.dispose()
    assert failed is not None
    assert failed.connection_invalidated
    assert after != before


@pytest.mark.backends("postgresql")
async def test_a_read_session_runs_without_a_transaction_and_refuses_writes(
    databases, backend
) -> None:
    """On PostgreSQL a read-only request's statements run in autocommit (no BEGIN/COMMIT round
    trips); a write sent on such a session fails instead of committing piecemeal."""
    import asyncio

    from shared.db import ReadOnlyViolation

    url = await asyncio.to_thread(databases.migrated, "registry", backend)
    database = Database(url)
    try:
        async with database.read_session() as session:
            await session.execute(sa.text("SELECT 1"))
            raw = await (await session.connection()).get_raw_connection()
            in_transaction = raw.driver_connection.is_in_transaction()
            with pytest.raises(ReadOnlyViolation):
                await session.execute(sa.text("DELETE FROM jurisdictions"))
        async with database.session() as session:
            await session.execute(sa.text("SELECT 1"))
            raw = await (await session.connection()).get_raw_connection()
            writer_in_transaction = raw.driver_connection.is_in_transaction()
            remaining = (
                await session.execute(sa.text("SELECT count(*) FROM jurisdictions"))
            ).scalar()
    finally:
        await database.dispose()
    assert in_transaction is False
    assert writer_in_transaction is True
    assert remaining == 11


_JURISDICTIONS = sa.table("jurisdictions", sa.column("code"), sa.column("name_zh"))
# A bound parameter from the caller and a constant fixed in the statement (the LIMIT).
_NAMED_LIKE = (
    sa.select(_JURISDICTIONS.c.code, _JURISDICTIONS.c.name_zh)
    .where(_JURISDICTIONS.c.code >= sa.bindparam("from_code"))
    .order_by(_JURISDICTIONS.c.code)
    .limit(3)
)
_DIVIDES = sa.select((sa.literal_column("1") / sa.bindparam("zero", type_=sa.Integer)).label("x"))


async def test_fetch_all_reads_what_sqlalchemy_reads(databases, backend) -> None:
    """The hot-read path (straight through asyncpg on PostgreSQL) returns the same rows as the
    statement run through SQLAlchemy, with and without a transaction already open."""
    import asyncio

    from shared.db import fetch_all

    database = Database(await asyncio.to_thread(databases.migrated, "registry", backend))
    try:
        async with database.read_session() as session:
            fast = [
                dict(row) for row in await fetch_all(session, _NAMED_LIKE, {"from_code": "6201"})
            ]
        async with database.session() as session:
            await session.execute(sa.text("SELECT 1"))
            in_transaction = [
                dict(row) for row in await fetch_all(session, _NAMED_LIKE, {"from_code": "6201"})
            ]
            expected = [
                dict(row)
                for row in (await session.execute(_NAMED_LIKE, {"from_code": "6201"})).mappings()
            ]
    finally:
        await database.dispose()
    assert len(expected) == 3
    assert fast == expected
    assert in_transaction == expected


_BACKEND_PID = sa.select(sa.func.pg_backend_pid().label("pid"))


@pytest.mark.backends("postgresql")
async def test_fetch_all_discards_a_connection_whose_statement_failed(databases, backend) -> None:
    """SQLAlchemy did not see the statement fail, so the pool must not reuse its connection."""
    import asyncio

    from shared.db import fetch_all

    database = Database(await asyncio.to_thread(databases.migrated, "registry", backend))
    try:
        async with database.read_session() as session:
            failed_on = (await fetch_all(session, _BACKEND_PID, {}))[0]["pid"]
            with pytest.raises(Exception, match="division by zero"):
                await fetch_all(session, _DIVIDES, {"zero": 0})
        async with database.read_session() as session:
            next_on = (await fetch_all(session, _BACKEND_PID, {}))[0]["pid"]
            rows = await fetch_all(session, _NAMED_LIKE, {"from_code": "6201"})
    finally:
        await database.dispose()
    assert next_on != failed_on
    assert len(rows) == 3


@pytest.mark.backends("postgresql")
async def test_the_pool_is_sized_by_the_settings(make_app, backend) -> None:
    app = await make_app("registry", database_pool_size=7, database_max_overflow=3)
    pool = app.state.database.engine.pool
    assert (pool.size(), pool._max_overflow) == (7, 3)


# ---------------------------------------------------------------------------------------------
# The read pool (Database.start): the hottest reads on read-only connections of their own
# ---------------------------------------------------------------------------------------------


async def _started(databases, backend) -> Database:
    import asyncio

    database = Database(await asyncio.to_thread(databases.migrated, "registry", backend))
    await database.start()
    return database


@pytest.mark.backends("postgresql")
async def test_reads_use_the_read_pool_which_refuses_writes(databases, backend) -> None:
    """A read session not yet begun reads on the read pool, whose connections are read-only at
    the server: a write sent that way is refused by PostgreSQL and changes nothing."""
    import asyncpg

    from shared.db import driver_fetch, fetch_all

    database = await _started(databases, backend)
    try:
        async with database.read_session() as session:
            read = await fetch_all(session, _NAMED_LIKE, {"from_code": "6201"})
            setting = await driver_fetch(session, "SHOW default_transaction_read_only", [])
            with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
                await driver_fetch(session, "DELETE FROM jurisdictions RETURNING code", [])
            began = session.in_transaction()
        assert database.read_pool is not None
        used = database.read_pool.get_size()
        async with database.session() as session:
            remaining = (
                await session.execute(sa.text("SELECT count(*) FROM jurisdictions"))
            ).scalar()
    finally:
        await database.dispose()
    assert len(read) == 3
    assert setting[0][0] == "on"
    assert began is False  # the session itself never took a connection
    assert used >= 1
    assert remaining == 11


@pytest.mark.backends("postgresql")
async def test_the_read_pool_is_not_used_once_the_session_has_begun(databases, backend) -> None:
    """Once a session holds a connection (a request that wrote, or read through the ORM), its
    statements stay on that connection: a write is seen by the reads after it."""
    from shared.db import driver_fetch

    database = await _started(databases, backend)
    try:
        async with database.session() as session:
            await session.execute(
                sa.text("UPDATE jurisdictions SET name_zh = '测试' WHERE code = '620102'")
            )
            seen = await driver_fetch(
                session, "SELECT name_zh FROM jurisdictions WHERE code = $1", ["620102"]
            )
            await session.rollback()
    finally:
        await database.dispose()
    assert seen[0]["name_zh"] == "测试"


@pytest.mark.backends("postgresql")
async def test_a_read_survives_its_pooled_connection_being_dropped(databases, backend) -> None:
    """The server dropped the read pool's connections while they sat idle (a restart): the next
    read still answers, on a new connection."""
    import asyncio

    from shared.db import fetch_all

    database = await _started(databases, backend)
    try:
        async with database.read_session() as session:
            before = (await fetch_all(session, _BACKEND_PID, {}))[0]["pid"]
        await _kill_backends(database.url)
        await asyncio.sleep(0.5)  # the connections sit idle while the server drops them
        async with database.read_session() as session:
            after = (await fetch_all(session, _BACKEND_PID, {}))[0]["pid"]
            rows = await fetch_all(session, _NAMED_LIKE, {"from_code": "6201"})
    finally:
        await database.dispose()
    assert after != before
    assert len(rows) == 3


async def test_a_read_met_by_a_closed_connection_is_read_again_on_a_new_one() -> None:
    """The retry itself: the first connection reports it no longer exists; every connection
    opened before is expired and the read is made once more. A second failure is raised."""
    import contextlib

    import asyncpg

    from shared.db import _read_pool_fetch

    class Connection:
        def __init__(self, fails: bool) -> None:
            self.fails = fails

        async def fetch(self, sql: str, *arguments: object) -> list[dict[str, object]]:
            if self.fails:
                raise asyncpg.exceptions.ConnectionDoesNotExistError("closed")
            return [{"sql": sql, "arguments": arguments}]

    class Pool:
        def __init__(self, *fails: bool) -> None:
            self.connections = [Connection(f) for f in fails]
            self.expired = 0
            self.waits: list[float] = []

        @contextlib.asynccontextmanager
        async def acquire(self, **options: float):  # type: ignore[no-untyped-def]
            self.waits.append(options["timeout"])
            yield self.connections.pop(0)

        def expire_connections(self) -> None:
            self.expired += 1

    recovering = Pool(True, False)
    rows = await _read_pool_fetch(recovering, "SELECT $1", [7])  # type: ignore[arg-type]
    assert rows == [{"sql": "SELECT $1", "arguments": (7,)}]
    assert recovering.expired == 1
    assert recovering.waits == [30.0, 30.0]  # a busy pool is waited for, not for ever
    failing = Pool(True, True)
    with pytest.raises(asyncpg.exceptions.ConnectionDoesNotExistError):
        await _read_pool_fetch(failing, "SELECT 1", [])  # type: ignore[arg-type]
    assert failing.expired == 1


@pytest.mark.backends("postgresql")
async def test_a_read_session_that_began_is_closed_and_its_connection_returned(
    databases, backend
) -> None:
    """Closing is skipped only for a read session that never began: one that read through the
    ORM gives its connection back when it ends."""
    database = await _started(databases, backend)
    try:
        pool = database.engine.pool
        async with database.read_session() as session:
            await session.execute(sa.text("SELECT 1"))
            held = pool.checkedout()  # type: ignore[attr-defined]
        returned = pool.checkedout()  # type: ignore[attr-defined]
        async with database.read_session() as session:
            untouched = session.in_transaction()
        after_untouched = pool.checkedout()  # type: ignore[attr-defined]
    finally:
        await database.dispose()
    assert (held, returned) == (1, 0)
    assert untouched is False
    assert after_untouched == 0
