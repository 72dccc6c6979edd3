"""Async engine and sessions for SQLite (embedded default) and PostgreSQL (production, CI)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy import DateTime, MetaData, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can address them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum: type[StrEnum], name: str, length: int = 30) -> sa.Enum:
    """A string enumeration column stored by value, with a CHECK constraint on both databases."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        length=length,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
    )


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transactions (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that reads and then writes
        # (the audit chain, idempotency keys) can then never fail half-way on a busy database.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# Connections kept open, and how many more may be opened for a burst. An overflow connection is
# closed when it is returned, so a pool smaller than the usual concurrency reconnects all the
# time (16 concurrent postings on 10 kept connections reopened about 100 connections per
# 4,000 postings, and ran at 706/s where a pool of 16 ran at 1,192/s).
DEFAULT_POOL_SIZE = 20
DEFAULT_MAX_OVERFLOW = 10
# A pooled connection idle for longer than this is pinged before it is handed out.
DEFAULT_PING_AFTER_IDLE_SECONDS = 10.0


def _ping_idle_connections(engine: AsyncEngine, after_idle_seconds: float) -> None:
    """Ping a pooled connection on checkout only if it sat idle for ``after_idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round trip per request,
    about a quarter of a short read's time. A connection returned a moment ago was working a
    moment ago, so only one that has been idle longer is checked; a dead one is replaced before
    the request sees it (``DisconnectionError`` makes the pool discard it and connect afresh).
    A server restart within the idle window still fails the request that first meets it, and
    SQLAlchemy then invalidates the whole pool, so the next request reconnects.
    """

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.pop("checked_in_at", None)
        if checked_in_at is None or time.monotonic() - checked_in_at < after_idle_seconds:
            return  # new, or in use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError(f"idle pooled connection is dead: {error}") from error


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = DEFAULT_POOL_SIZE,
    max_overflow: int = DEFAULT_MAX_OVERFLOW,
    ping_after_idle_seconds: float = DEFAULT_PING_AFTER_IDLE_SECONDS,
) -> AsyncEngine:
    if is_sqlite_url(url):
        # One file, many short connections; NullPool keeps no handle open across tests.
        engine = create_async_engine(url, echo=echo, poolclass=NullPool)
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow)
    _ping_idle_connections(engine, ping_after_idle_seconds)
    return engine


_READ_PREFIXES = ("SELECT", "WITH", "SHOW", "EXPLAIN", ";")


class ReadOnlyViolation(RuntimeError):
    """A statement that may write was sent on a read-only session."""


def _refuse_writes(engine: AsyncEngine) -> None:
    """Refuse any statement but a read on ``engine`` (an autocommit view of the service's engine).

    Without a transaction a write would commit statement by statement; a read-only request
    that writes is a bug, and it fails loudly instead. (A ``WITH`` may hide a data-modifying
    CTE; the hot reads that use one do not.)
    """

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _check(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(_READ_PREFIXES):
            raise ReadOnlyViolation(f"a read-only request sent a write: {statement[:80]!r}")


class _CompiledRead:
    """A Core SELECT compiled once for PostgreSQL: its SQL and how to order its parameters."""

    __slots__ = ("constants", "names", "sql")

    def __init__(self, stmt: sa.Select[Any], dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        # Values fixed in the statement itself (a LIMIT 1 in a subquery, a CASE's literal).
        self.constants = {k: v for k, v in compiled.params.items() if v is not None}

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[n] if n in params else self.constants[n] for n in self.names]


# Keyed by the statement's id; the statement is kept too, so its id is never reused.
_compiled_reads: dict[int, tuple[sa.Select[Any], _CompiledRead]] = {}
_MAX_COMPILED_READS = 1000


async def fetch_all(
    session: AsyncSession, stmt: sa.Select[Any], params: Mapping[str, Any]
) -> Sequence[Mapping[str, Any]]:
    """Rows of a prebuilt Core SELECT, as mappings by column label.

    For the hottest reads. On PostgreSQL the statement, compiled once, is sent straight through
    asyncpg (``driver_fetch``), which prepares it once per connection: per request nothing is
    compiled, looked up in SQLAlchemy's cache or adapted. Values come back as the driver types
    them (an enumeration column as its string value, an instant as an aware UTC datetime); on
    SQLite the statement runs through SQLAlchemy as usual. ``stmt`` must be built once (a
    module constant), with every varying value a named ``bindparam``.
    """
    if session.get_bind().dialect.name != "postgresql":
        connection = await session.connection()
        mapped: Sequence[Mapping[str, Any]] = (
            (await connection.execute(stmt, dict(params))).mappings().all()
        )
        return mapped
    cached = _compiled_reads.get(id(stmt))
    if cached is None:
        if len(_compiled_reads) >= _MAX_COMPILED_READS:
            raise RuntimeError("fetch_all takes statements built once (module constants)")
        read = _CompiledRead(stmt, session.get_bind().dialect)
        cached = _compiled_reads[id(stmt)] = (stmt, read)
    read = cached[1]
    return await driver_fetch(session, read.sql, read.arguments(params))


# Where a read session finds the read pool (``Session.info``).
_READ_POOL = "read_pool"
# How long a read waits for a connection when all are in use (SQLAlchemy's pool waits as long).
_READ_POOL_WAIT_SECONDS = 30.0
# The SQLAlchemy dialect's own connect options, which asyncpg itself does not take.
_DIALECT_ONLY_OPTIONS = ("prepared_statement_cache_size", "prepared_statement_name_func")


async def driver_fetch(
    session: AsyncSession, sql: str, arguments: Sequence[Any]
) -> Sequence[Mapping[str, Any]]:
    """Send ``sql`` ($1, $2 ... placeholders) straight through asyncpg; its rows.

    On a read-only session not yet begun, on a connection of the database's read pool (see
    ``Database.start``); otherwise on the session's own connection, so a request that wrote
    sees its writes. Writes are not this function's business (the read pool refuses them).
    """
    if not session.in_transaction():
        pool: asyncpg.Pool | None = session.info.get(_READ_POOL)
        if pool is not None:
            return await _read_pool_fetch(pool, sql, arguments)
        bind = session.bind
        if isinstance(bind, AsyncEngine) and _is_autocommit(session):
            async with bind.connect() as connection:
                return await _driver_fetch(connection, sql, arguments)
    return await _driver_fetch(await session.connection(), sql, arguments)


def _is_autocommit(session: AsyncSession) -> bool:
    options = session.get_bind().get_execution_options()
    return bool(options.get("isolation_level") == "AUTOCOMMIT")


async def _read_pool_fetch(
    pool: asyncpg.Pool, sql: str, arguments: Sequence[Any]
) -> Sequence[Mapping[str, Any]]:
    try:
        async with pool.acquire(timeout=_READ_POOL_WAIT_SECONDS) as connection:
            rows: Sequence[Mapping[str, Any]] = await connection.fetch(sql, *arguments)
            return rows
    except asyncpg.exceptions.ConnectionDoesNotExistError:
        # The server closed it while it sat in the pool (a restart, an administrator): drop
        # every connection opened before, and read once more on a new one. A read is safe to
        # repeat; a second failure is the caller's to see.
        pool.expire_connections()
        async with pool.acquire(timeout=_READ_POOL_WAIT_SECONDS) as connection:
            rows = await connection.fetch(sql, *arguments)
            return rows


async def _driver_fetch(
    connection: AsyncConnection, sql: str, arguments: Sequence[Any]
) -> Sequence[Mapping[str, Any]]:
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None, "a checked-out connection has its asyncpg connection"
    try:
        rows: Sequence[Mapping[str, Any]] = await driver.fetch(sql, *arguments)
    except BaseException:
        # Failed or cancelled behind SQLAlchemy's back: the connection's state is unknown to
        # the pool, so it is discarded rather than handed to the next request.
        await connection.invalidate()
        raise
    return rows


async def _keep_state(_connection: asyncpg.Connection) -> None:
    """The read pool's reset: nothing beyond asyncpg's own (roll back a transaction left open,
    drop listeners). Its connections run single autocommit SELECTs on a read-only session, which
    leave no cursor, setting, lock or LISTEN behind; the full ``RESET ALL ...`` would cost a
    round trip per read."""


class _ReadSession(AsyncSession):
    """A read-only request's session: closing one that never began a transaction is skipped.

    Such a session holds no connection (its hottest reads went through the read pool) and
    nothing to release; ``AsyncSession.__aexit__`` would still pay for a greenlet, a task and the
    bookkeeping of ``close``, about a fifth of a read by id.
    """

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if self.in_transaction():
            await super().__aexit__(type_, value, traceback)


class Database:
    """The engine and session factory a service holds for its lifetime."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        ping_after_idle_seconds: float = DEFAULT_PING_AFTER_IDLE_SECONDS,
        pool_size: int = DEFAULT_POOL_SIZE,
        max_overflow: int = DEFAULT_MAX_OVERFLOW,
    ) -> None:
        self.url = url
        self.pool_size = pool_size
        self.read_pool: asyncpg.Pool | None = None
        self.engine = create_engine(
            url,
            echo=echo,
            ping_after_idle_seconds=ping_after_idle_seconds,
            pool_size=pool_size,
            max_overflow=max_overflow,
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessionmaker = self.sessionmaker
        if self.dialect == "postgresql":
            # PostgreSQL's READ COMMITTED gives every statement its own snapshot even inside a
            # transaction, so a read-only request gains nothing from BEGIN and COMMIT but two
            # round trips. Its statements run in autocommit; one that writes is refused.
            reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            _refuse_writes(reader)
            self.read_sessionmaker = async_sessionmaker(
                reader, class_=_ReadSession, expire_on_commit=False, autoflush=False
            )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    def read_session(self) -> AsyncSession:
        """A session for a request that only reads (no transaction on PostgreSQL)."""
        return self.read_sessionmaker()

    async def start(self) -> None:
        """Open the read pool (PostgreSQL): the connections the hottest reads use.

        ``driver_fetch`` on a read session not yet begun takes a connection from it instead of
        checking one out of SQLAlchemy's pool, which costs about twice the statement itself in
        CPU. Its connections are read-only at the server (``default_transaction_read_only``),
        so a write sent through it is refused by PostgreSQL; each is opened on first need (up to
        the pool size) and closed after five idle minutes. Without ``start`` (or on SQLite)
        those reads use SQLAlchemy's pool as every other statement does.
        """
        if self.dialect != "postgresql" or self.read_pool is not None:
            return
        _, options = self.engine.dialect.create_connect_args(self.engine.url)
        for name in _DIALECT_ONLY_OPTIONS:
            options.pop(name, None)
        server_settings = {
            **options.pop("server_settings", {}),
            "default_transaction_read_only": "on",
        }
        self.read_pool = await asyncpg.create_pool(
            min_size=0,
            max_size=self.pool_size,
            reset=_keep_state,
            server_settings=server_settings,
            **options,
        )
        self.read_sessionmaker.configure(info={_READ_POOL: self.read_pool})

    async def dispose(self) -> None:
        if self.read_pool is not None:
            self.read_sessionmaker.configure(info={})
            await self.read_pool.close()
            self.read_pool = None
        await self.engine.dispose()
