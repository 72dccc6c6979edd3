"""SQL for status records. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.spaces.models import Space
from services.registry.status.models import SpaceStatusChange
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, change: SpaceStatusChange) -> SpaceStatusChange:
    session.add(change)
    await session.flush()
    return change


async def latest(session: AsyncSession, space_id: uuid.UUID) -> SpaceStatusChange | None:
    """The space's current status record (the highest ``seq``)."""
    stmt = (
        sa.select(SpaceStatusChange)
        .where(SpaceStatusChange.space_id == space_id)
        .order_by(SpaceStatusChange.seq.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def in_force(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> SpaceStatusChange | None:
    """The status record in force at the end of ``on``; None before the space opened.

    The registration record (seq 1) is in force from the space's current ``opened_on``, which
    a correction may have moved since the record was written (the record itself is kept).
    """
    began = sa.case(
        (SpaceStatusChange.seq == 1, Space.opened_on), else_=SpaceStatusChange.effective_on
    )
    stmt = (
        sa.select(SpaceStatusChange)
        .join(Space, Space.id == SpaceStatusChange.space_id)
        .where(SpaceStatusChange.space_id == space_id, began <= on)
        .order_by(SpaceStatusChange.seq.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def history_page(
    session: AsyncSession, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceStatusChange]:
    stmt = sa.select(SpaceStatusChange).where(SpaceStatusChange.space_id == space_id)
    stmt = keyset_page(stmt, [SpaceStatusChange.seq.expression], page, [int])
    return (await session.scalars(stmt)).all()


def current_of(space_id: sa.ColumnElement[uuid.UUID]) -> sa.ScalarSelect[int]:
    """The ``seq`` of the current record of the space ``space_id`` (a correlated subquery)."""
    return (
        sa.select(sa.func.max(SpaceStatusChange.seq))
        .where(SpaceStatusChange.space_id == space_id)
        .scalar_subquery()
    )
