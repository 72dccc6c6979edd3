"""SQL for operators and their history. Reads that a caller triggers take its jurisdiction scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.operators import uscc
from services.registry.operators.models import Operator, OperatorVersion
from services.registry.operators.schemas import OperatorFilters
from services.registry.spaces.models import Space
from shared.pagination import PageParams, keyset_page


def _scoped(stmt: sa.Select[Operator], scope: str | None) -> sa.Select[Operator]:
    return stmt if scope is None else stmt.where(Operator.jurisdiction_code == scope)


async def add(session: AsyncSession, operator: Operator, first: OperatorVersion) -> Operator:
    session.add(operator)
    # The version row references the operator: flush it first, whatever order the unit of
    # work would otherwise choose.
    await session.flush()
    session.add(first)
    await session.flush()
    return operator


async def get(
    session: AsyncSession, operator_id: uuid.UUID, scope: str | None, *, for_update: bool = False
) -> Operator | None:
    stmt = _scoped(sa.select(Operator).where(Operator.id == operator_id), scope)
    if for_update:
        # Two writers holding the same If-Match queue here (PostgreSQL row lock; SQLite's
        # write lock is already taken by BEGIN IMMEDIATE): the second then sees the first's
        # version and is refused, instead of both passing the check and one overwriting.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def find_by_uscc(session: AsyncSession, uscc: str) -> Operator | None:
    """Across every jurisdiction: a code is unique system-wide. The caller decides what to say."""
    return (await session.scalars(sa.select(Operator).where(Operator.uscc == uscc))).one_or_none()


async def save_version(session: AsyncSession, version: OperatorVersion) -> None:
    """Write the changed current row and append its new version, in the caller's transaction."""
    await session.flush()
    session.add(version)
    await session.flush()


async def count_spaces_outside(
    session: AsyncSession, operator_id: uuid.UUID, jurisdiction_code: str
) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Space)
        .where(Space.operator_id == operator_id, Space.jurisdiction_code != jurisdiction_code)
    )
    return int((await session.execute(stmt)).scalar_one())


async def list_page(
    session: AsyncSession, scope: str | None, filters: OperatorFilters, page: PageParams
) -> Sequence[Operator]:
    stmt = _scoped(sa.select(Operator), scope)
    if filters.jurisdiction_code is not None:
        stmt = stmt.where(Operator.jurisdiction_code == filters.jurisdiction_code)
    if filters.kind is not None:
        stmt = stmt.where(Operator.kind == filters.kind)
    if filters.q is not None:
        # autoescape: a % or _ in the search text is matched literally. The code is looked for
        # as codes are stored (normalised), so "9162 0102" finds 916201021234567890.
        code = uscc.normalise(filters.q)
        stmt = stmt.where(
            sa.or_(
                Operator.name.icontains(filters.q, autoescape=True),
                *([Operator.uscc.contains(code, autoescape=True)] if code else []),
            )
        )
    stmt = keyset_page(
        stmt,
        [Operator.created_at.expression, Operator.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()


async def versions_page(
    session: AsyncSession, operator_id: uuid.UUID, page: PageParams
) -> Sequence[OperatorVersion]:
    stmt = sa.select(OperatorVersion).where(OperatorVersion.operator_id == operator_id)
    stmt = keyset_page(stmt, [OperatorVersion.version.expression], page, [int])
    return (await session.scalars(stmt)).all()
