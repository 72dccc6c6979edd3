"""SQL for spaces. Every read takes the caller's jurisdiction scope and filters by it."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import Activity
from services.registry.levels.models import SpaceLevelGrant
from services.registry.spaces.models import Space, SpaceJurisdictionChange, SpaceVersion
from services.registry.spaces.schemas import SpaceFilters
from services.registry.status.models import SpaceStatusChange
from services.registry.teams.models import Team
from shared.db import fetch_all
from shared.pagination import PageParams, decode_cursor, keyset_page


def _scoped(stmt: sa.Select[Space], scope: str | None) -> sa.Select[Space]:
    return stmt if scope is None else stmt.where(Space.jurisdiction_code == scope)


async def add(
    session: AsyncSession, space: Space, registered: SpaceStatusChange, first: SpaceVersion
) -> Space:
    session.add(space)
    # The status record and the version reference the space: flush it first.
    await session.flush()
    session.add_all([registered, first])
    await session.flush()
    return space


async def save_version(session: AsyncSession, version: SpaceVersion) -> None:
    """Write the changed current row and append its new version, in the caller's transaction."""
    await session.flush()
    session.add(version)
    await session.flush()


async def has_version(session: AsyncSession, space_id: uuid.UUID, version: int) -> bool:
    return await session.get(SpaceVersion, (space_id, version)) is not None


async def versions_page(
    session: AsyncSession, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceVersion]:
    stmt = sa.select(SpaceVersion).where(SpaceVersion.space_id == space_id)
    stmt = keyset_page(stmt, [SpaceVersion.version.expression], page, [int])
    return (await session.scalars(stmt)).all()


async def latest_jurisdiction_change(
    session: AsyncSession, space_id: uuid.UUID
) -> SpaceJurisdictionChange | None:
    stmt = (
        sa.select(SpaceJurisdictionChange)
        .where(SpaceJurisdictionChange.space_id == space_id)
        .order_by(SpaceJurisdictionChange.seq.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def add_jurisdiction_change(session: AsyncSession, change: SpaceJurisdictionChange) -> None:
    session.add(change)
    await session.flush()


async def jurisdiction_changes_page(
    session: AsyncSession, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceJurisdictionChange]:
    stmt = sa.select(SpaceJurisdictionChange).where(SpaceJurisdictionChange.space_id == space_id)
    stmt = keyset_page(stmt, [SpaceJurisdictionChange.seq.expression], page, [int])
    return (await session.scalars(stmt)).all()


# The records dated from the day a space opened: (what, its id, its date column, extra filter).
_DATED_FROM_OPENING: list[tuple[str, Any, Any, Any]] = [
    ("team joined", Team.id, Team.joined_on, None),
    ("activity held", Activity.id, Activity.held_on, None),
    (
        "status act effective",
        SpaceStatusChange.id,
        SpaceStatusChange.effective_on,
        SpaceStatusChange.seq > 1,
    ),
    ("level effective", SpaceLevelGrant.id, SpaceLevelGrant.effective_on, None),
    (
        "jurisdiction change effective",
        SpaceJurisdictionChange.id,
        SpaceJurisdictionChange.effective_on,
        None,
    ),
]


async def first_record_before(
    session: AsyncSession, space_id: uuid.UUID, day: date
) -> tuple[str, uuid.UUID, date] | None:
    """The earliest record of the space dated before ``day``: (what, id, date), or None."""
    # Earliest first; on one day, in the list's order (a recognition's own level after it).
    found: list[tuple[date, int, str, uuid.UUID]] = []
    for order, (what, id_column, date_column, extra) in enumerate(_DATED_FROM_OPENING):
        stmt = (
            sa.select(id_column, date_column)
            .where(id_column.table.c.space_id == space_id, date_column < day)
            .order_by(date_column)
            .limit(1)
        )
        if extra is not None:
            stmt = stmt.where(extra)
        row = (await session.execute(stmt)).first()
        if row is not None:
            found.append((row[1], order, what, row[0]))
    if not found:
        return None
    on, _, what, record_id = min(found)
    return what, record_id, on


async def get(
    session: AsyncSession, space_id: uuid.UUID, scope: str | None, *, for_update: bool = False
) -> Space | None:
    stmt = _scoped(sa.select(Space).where(Space.id == space_id), scope)
    if for_update:
        # Acts on one space (status, levels, assessments) queue here, so each sees the last.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def find_by_name(session: AsyncSession, jurisdiction_code: str, name: str) -> Space | None:
    stmt = sa.select(Space).where(Space.jurisdiction_code == jurisdiction_code, Space.name == name)
    return (await session.scalars(stmt)).one_or_none()


_spaces = Space.__table__
_status_changes = SpaceStatusChange.__table__


def _current_status(column: Any) -> Any:
    """``column`` of the space's current status record (the one with the highest ``seq``).

    Correlated per space and read through the unique (space_id, seq) key, so a page of spaces
    reads one index entry per space shown: the list walks spaces in key order and stops after
    a page, rather than joining every space to its records and sorting them all.
    """
    return (
        sa.select(column)
        .where(_status_changes.c.space_id == _spaces.c.id)
        .order_by(_status_changes.c.seq.desc())
        .limit(1)
        .correlate(_spaces)
        .scalar_subquery()
    )


# The read and the list are the service's hottest requests: their statements are Core (rows,
# not entities: nothing to track) and built once, with every varying value a bound parameter,
# so a request only binds and sends. Each comes in two forms: on PostgreSQL the current status
# record is joined LATERAL (one index probe per space: a page of 50 in 0.12 ms at national
# scale, where two correlated subqueries took 0.65 ms, and 9 ms filtered by status); SQLite
# has no LATERAL and keeps the correlated subqueries.
# Written into the SQL rather than bound, so that PostgreSQL's plan for the prepared statement
# knows the LATERAL reads one row.
_ONE_LITERAL = sa.literal_column("1", sa.Integer)


def _read_statement(lateral: bool) -> tuple[sa.Select[Any], Any]:
    """The space columns, ``status`` and ``status_since``; and the column to filter status by."""
    if not lateral:
        status = _current_status(_status_changes.c.status)
        # The registration record (seq 1) is in force from the space's current opened_on.
        since = _current_status(
            sa.case(
                (_status_changes.c.seq == 1, _spaces.c.opened_on),
                else_=_status_changes.c.effective_on,
            )
        )
        return sa.select(*_spaces.c, status.label("status"), since.label("status_since")), status
    current = (
        sa.select(_status_changes.c.status, _status_changes.c.seq, _status_changes.c.effective_on)
        .where(_status_changes.c.space_id == _spaces.c.id)
        .order_by(_status_changes.c.seq.desc())
        .limit(_ONE_LITERAL)
        .lateral("current_status")
    )
    since = sa.case(
        (current.c.seq == _ONE_LITERAL, _spaces.c.opened_on), else_=current.c.effective_on
    )
    stmt = sa.select(
        *_spaces.c, current.c.status.label("status"), since.label("status_since")
    ).select_from(_spaces.join(current, sa.true()))
    return stmt, current.c.status


_READS = {lateral: _read_statement(lateral) for lateral in (False, True)}
_ONE = {
    lateral: stmt.where(_spaces.c.id == sa.bindparam("space_id"))
    for lateral, (stmt, _) in _READS.items()
}
_ONE_IN_SCOPE = {
    lateral: stmt.where(_spaces.c.jurisdiction_code == sa.bindparam("scope"))
    for lateral, stmt in _ONE.items()
}


def _lateral(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_LIST_ORDER = (_spaces.c.created_at, _spaces.c.id)
_CURSOR_PARSERS = (datetime.fromisoformat, uuid.UUID)


async def get_with_status(
    session: AsyncSession, space_id: uuid.UUID, scope: str | None
) -> Mapping[str, Any] | None:
    """The space's row (its columns, ``status``, ``status_since``) if within ``scope``."""
    lateral = _lateral(session)
    if scope is None:
        rows = await fetch_all(session, _ONE[lateral], {"space_id": space_id})
    else:
        rows = await fetch_all(
            session, _ONE_IN_SCOPE[lateral], {"space_id": space_id, "scope": scope}
        )
    return rows[0] if rows else None


# LIKE's escape character: the search text's own %, _ and / are matched as themselves.
_LIKE_ESCAPE = "/"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching any value that contains ``text`` literally."""
    escaped = (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


@functools.cache
def _list_statement(
    lateral: bool,
    scoped: bool,
    jurisdiction: bool,
    form: bool,
    profile: bool,
    status: bool,
    after: bool,
    search: bool,
) -> sa.Select[Any]:
    """The list's statement for one combination of filters (at most 256, each built once)."""
    stmt, status_column = _READS[lateral]
    for present, column, name in (
        (scoped, _spaces.c.jurisdiction_code, "scope"),
        (jurisdiction, _spaces.c.jurisdiction_code, "jurisdiction_code"),
        (form, _spaces.c.form, "form"),
        (profile, _spaces.c.profile, "profile"),
        (status, status_column, "status"),
    ):
        if present:
            stmt = stmt.where(column == sa.bindparam(name, type_=column.type))
    if search:
        # lower() on both sides: Latin letters in any case on both databases (SQLite's lower()
        # folds ASCII only); Chinese has no case and matches as it is. No index serves a
        # substring: the walk in key order (scoped by the district's index) filters as it goes.
        pattern = sa.func.lower(sa.bindparam("name_pattern", type_=sa.String))
        stmt = stmt.where(sa.func.lower(_spaces.c.name).like(pattern, escape=_LIKE_ESCAPE))
    if after:
        stmt = stmt.where(
            sa.tuple_(*_LIST_ORDER)
            > sa.tuple_(*(sa.bindparam(f"after_{c.name}", type_=c.type) for c in _LIST_ORDER))
        )
    return stmt.order_by(*_LIST_ORDER).limit(sa.bindparam("limit_plus_one", type_=sa.Integer))


def postgresql_sql(stmt: sa.Select[Any]) -> str:
    """A read's SQL as it is sent to PostgreSQL ($1, $2 ... in the order its parameters bind)."""
    dialect = postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
    return str(stmt.compile(dialect=dialect))


# The statements the two hottest reads send on PostgreSQL, for the benchmark to send bare: a
# space by id (``$1``: the id), and the unfiltered first page (``$1``: the page size plus one).
SPACE_BY_ID_SQL_POSTGRESQL = postgresql_sql(_ONE[True])
FIRST_PAGE_SQL_POSTGRESQL = postgresql_sql(
    _list_statement(True, False, False, False, False, False, False, False)
)


async def list_page(
    session: AsyncSession, scope: str | None, filters: SpaceFilters, page: PageParams
) -> Sequence[Mapping[str, Any]]:
    """One page of spaces in key order (one more row than the page: the caller splits it)."""
    params: dict[str, Any] = {"limit_plus_one": page.limit + 1}
    if scope is not None:
        params["scope"] = scope
    for name in ("jurisdiction_code", "form", "profile", "status"):
        value = getattr(filters, name)
        if value is not None:
            params[name] = value
    if filters.q is not None:
        params["name_pattern"] = contains_pattern(filters.q)
    if page.cursor is not None:
        after = decode_cursor(page.cursor, _CURSOR_PARSERS)
        params.update(zip((f"after_{c.name}" for c in _LIST_ORDER), after, strict=True))
    stmt = _list_statement(
        _lateral(session),
        scope is not None,
        filters.jurisdiction_code is not None,
        filters.form is not None,
        filters.profile is not None,
        filters.status is not None,
        page.cursor is not None,
        filters.q is not None,
    )
    return await fetch_all(session, stmt, params)
