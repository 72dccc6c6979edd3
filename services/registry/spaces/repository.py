"""SQL for spaces. Every read takes the caller's jurisdiction scope and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import Activity
from services.registry.levels.models import SpaceLevelGrant
from services.registry.spaces.models import Space, SpaceJurisdictionChange, SpaceVersion
from services.registry.spaces.schemas import SpaceFilters
from services.registry.status.models import SpaceStatusChange
from services.registry.teams.models import Team
from shared.contracts.spaces import SpaceStatus
from shared.pagination import PageParams, keyset_page


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


def _current_status(column: Any) -> Any:
    """``column`` of the space's current status record (the one with the highest ``seq``).

    Correlated per space and read through the unique (space_id, seq) key, so a page of spaces
    reads one index entry per space shown: the list walks spaces in key order and stops after
    a page, rather than joining every space to its records and sorting them all.
    """
    return (
        sa.select(column)
        .where(SpaceStatusChange.space_id == Space.id)
        .order_by(SpaceStatusChange.seq.desc())
        .limit(1)
        .correlate(Space)
        .scalar_subquery()
    )


def _with_current_status() -> tuple[sa.Select[Any], Any]:
    """Each space with its current status and the date it began; and that status's column."""
    status = _current_status(SpaceStatusChange.status)
    # The registration record (seq 1) is in force from the space's current opened_on.
    since = _current_status(
        sa.case((SpaceStatusChange.seq == 1, Space.opened_on), else_=SpaceStatusChange.effective_on)
    )
    return sa.select(Space, status.label("status"), since.label("status_since")), status


async def get_with_status(
    session: AsyncSession, space_id: uuid.UUID, scope: str | None
) -> tuple[Space, SpaceStatus, date] | None:
    stmt, _ = _with_current_status()
    stmt = stmt.where(Space.id == space_id)
    if scope is not None:
        stmt = stmt.where(Space.jurisdiction_code == scope)
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def list_page(
    session: AsyncSession, scope: str | None, filters: SpaceFilters, page: PageParams
) -> Sequence[tuple[Space, SpaceStatus, date]]:
    stmt, status = _with_current_status()
    if scope is not None:
        stmt = stmt.where(Space.jurisdiction_code == scope)
    if filters.jurisdiction_code is not None:
        stmt = stmt.where(Space.jurisdiction_code == filters.jurisdiction_code)
    if filters.form is not None:
        stmt = stmt.where(Space.form == filters.form)
    if filters.profile is not None:
        stmt = stmt.where(Space.profile == filters.profile)
    if filters.status is not None:
        stmt = stmt.where(status == filters.status)
    paged = keyset_page(
        stmt,
        [Space.created_at.expression, Space.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(paged)).all()]
