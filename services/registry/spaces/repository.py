"""SQL for spaces. Every read takes the caller's jurisdiction scope and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.spaces.models import Space
from services.registry.spaces.schemas import SpaceFilters
from shared.pagination import PageParams, keyset_page


def _scoped(stmt: sa.Select[Space], scope: str | None) -> sa.Select[Space]:
    return stmt if scope is None else stmt.where(Space.jurisdiction_code == scope)


async def add(session: AsyncSession, space: Space) -> Space:
    session.add(space)
    await session.flush()
    return space


async def get(session: AsyncSession, space_id: uuid.UUID, scope: str | None) -> Space | None:
    stmt = _scoped(sa.select(Space).where(Space.id == space_id), scope)
    return (await session.scalars(stmt)).one_or_none()


async def find_by_name(session: AsyncSession, jurisdiction_code: str, name: str) -> Space | None:
    stmt = sa.select(Space).where(Space.jurisdiction_code == jurisdiction_code, Space.name == name)
    return (await session.scalars(stmt)).one_or_none()


async def list_page(
    session: AsyncSession, scope: str | None, filters: SpaceFilters, page: PageParams
) -> Sequence[Space]:
    stmt = _scoped(sa.select(Space), scope)
    if filters.jurisdiction_code is not None:
        stmt = stmt.where(Space.jurisdiction_code == filters.jurisdiction_code)
    if filters.form is not None:
        stmt = stmt.where(Space.form == filters.form)
    if filters.profile is not None:
        stmt = stmt.where(Space.profile == filters.profile)
    stmt = keyset_page(
        stmt,
        [Space.created_at.expression, Space.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
