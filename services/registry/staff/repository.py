"""SQL for staff members. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.staff.models import StaffMember
from services.registry.staff.schemas import StaffFilters
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, member: StaffMember) -> StaffMember:
    session.add(member)
    await session.flush()
    return member


async def get(
    session: AsyncSession, space_id: uuid.UUID, staff_id: uuid.UUID, *, for_update: bool = False
) -> StaffMember | None:
    stmt = sa.select(StaffMember).where(
        StaffMember.id == staff_id, StaffMember.space_id == space_id
    )
    if for_update:
        # Two departures of the same member queue here; the second sees the first's date.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def save(session: AsyncSession) -> None:
    await session.flush()


async def list_page(
    session: AsyncSession, space_id: uuid.UUID, filters: StaffFilters, page: PageParams
) -> Sequence[StaffMember]:
    stmt = sa.select(StaffMember).where(StaffMember.space_id == space_id)
    if filters.serving is not None:
        stmt = stmt.where(
            StaffMember.ended_on.is_(None) if filters.serving else StaffMember.ended_on.isnot(None)
        )
    stmt = keyset_page(
        stmt,
        [StaffMember.created_at.expression, StaffMember.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
