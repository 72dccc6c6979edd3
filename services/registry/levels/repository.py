"""SQL for level grants and their ends. The caller has already found the space in its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.levels.models import SpaceLevelEnd, SpaceLevelGrant
from shared.contracts.spaces import SpaceLevel


async def add_grant(session: AsyncSession, grant: SpaceLevelGrant) -> SpaceLevelGrant:
    session.add(grant)
    await session.flush()
    return grant


async def add_end(session: AsyncSession, end: SpaceLevelEnd) -> SpaceLevelEnd:
    session.add(end)
    await session.flush()
    return end


async def grants_of(
    session: AsyncSession, space_id: uuid.UUID
) -> Sequence[tuple[SpaceLevelGrant, SpaceLevelEnd | None]]:
    """Every grant of the space with its end if any, oldest first."""
    stmt = (
        sa.select(SpaceLevelGrant, SpaceLevelEnd)
        .outerjoin(SpaceLevelEnd, SpaceLevelEnd.grant_id == SpaceLevelGrant.id)
        .where(SpaceLevelGrant.space_id == space_id)
        .order_by(SpaceLevelGrant.effective_on, SpaceLevelGrant.recorded_at, SpaceLevelGrant.id)
    )
    return [(grant, end) for grant, end in (await session.execute(stmt)).all()]


async def get_grant(
    session: AsyncSession, space_id: uuid.UUID, grant_id: uuid.UUID
) -> tuple[SpaceLevelGrant, SpaceLevelEnd | None] | None:
    stmt = (
        sa.select(SpaceLevelGrant, SpaceLevelEnd)
        .outerjoin(SpaceLevelEnd, SpaceLevelEnd.grant_id == SpaceLevelGrant.id)
        .where(SpaceLevelGrant.space_id == space_id, SpaceLevelGrant.id == grant_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def open_grant(
    session: AsyncSession, space_id: uuid.UUID, level: SpaceLevel
) -> SpaceLevelGrant | None:
    """The grant of ``level`` that has no end recorded, if any."""
    stmt = (
        sa.select(SpaceLevelGrant)
        .outerjoin(SpaceLevelEnd, SpaceLevelEnd.grant_id == SpaceLevelGrant.id)
        .where(
            SpaceLevelGrant.space_id == space_id,
            SpaceLevelGrant.level == level,
            SpaceLevelEnd.grant_id.is_(None),
        )
        .order_by(SpaceLevelGrant.effective_on.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def latest_end(session: AsyncSession, space_id: uuid.UUID, level: SpaceLevel) -> date | None:
    """The latest date a grant of ``level`` ended, if any did."""
    stmt = (
        sa.select(sa.func.max(SpaceLevelEnd.ended_on))
        .join(SpaceLevelGrant, SpaceLevelEnd.grant_id == SpaceLevelGrant.id)
        .where(SpaceLevelGrant.space_id == space_id, SpaceLevelGrant.level == level)
    )
    return (await session.execute(stmt)).scalar()


def held_condition(on: date) -> sa.ColumnElement[bool]:
    """A grant is held at the end of ``on``: in effect by then, and not ended on or before it."""
    ended = (
        sa.select(SpaceLevelEnd.grant_id)
        .where(SpaceLevelEnd.grant_id == SpaceLevelGrant.id, SpaceLevelEnd.ended_on <= on)
        .exists()
    )
    return sa.and_(SpaceLevelGrant.effective_on <= on, ~ended)


async def held_on(session: AsyncSession, space_id: uuid.UUID, on: date) -> list[SpaceLevel]:
    stmt = (
        sa.select(SpaceLevelGrant.level)
        .where(SpaceLevelGrant.space_id == space_id, held_condition(on))
        .distinct()
    )
    return sorted((await session.scalars(stmt)).all())
