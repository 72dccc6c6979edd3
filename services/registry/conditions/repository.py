"""SQL for condition versions, any of the tables. The caller has found the space in its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.conditions.models import VersionColumns
from shared.pagination import PageParams, keyset_page

V = TypeVar("V", bound=VersionColumns)


async def add(session: AsyncSession, row: V) -> V:
    session.add(row)
    await session.flush()
    return row


async def latest(session: AsyncSession, model: type[V], space_id: uuid.UUID) -> V | None:
    """The last version recorded (the one an If-Match must name)."""
    stmt = sa.select(model).where(model.space_id == space_id).order_by(model.version.desc())
    return (await session.scalars(stmt.limit(1))).first()


async def in_force(
    session: AsyncSession, model: type[V], space_id: uuid.UUID, on: date
) -> V | None:
    """The version in force at the end of ``on``: latest effective date, then latest version."""
    stmt = (
        sa.select(model)
        .where(model.space_id == space_id, model.effective_on <= on)
        .order_by(model.effective_on.desc(), model.version.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def versions_page(
    session: AsyncSession, model: type[V], space_id: uuid.UUID, page: PageParams
) -> Sequence[V]:
    stmt = sa.select(model).where(model.space_id == space_id)
    stmt = keyset_page(stmt, [model.version.expression], page, [int])
    return (await session.scalars(stmt)).all()
