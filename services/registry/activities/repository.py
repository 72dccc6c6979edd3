"""SQL for activities. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import Activity
from services.registry.activities.schemas import ActivityFilters
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, activity: Activity) -> Activity:
    session.add(activity)
    await session.flush()
    return activity


async def list_page(
    session: AsyncSession, space_id: uuid.UUID, filters: ActivityFilters, page: PageParams
) -> Sequence[Activity]:
    stmt = sa.select(Activity).where(Activity.space_id == space_id)
    if filters.year is not None:
        # A range rather than extract(year): the (space_id, held_on) index serves it.
        stmt = stmt.where(
            Activity.held_on >= date(filters.year, 1, 1),
            Activity.held_on <= date(filters.year, 12, 31),
        )
    if filters.kind is not None:
        stmt = stmt.where(Activity.kind == filters.kind)
    stmt = keyset_page(
        stmt,
        [Activity.held_on.expression, Activity.id.expression],
        page,
        [date.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
