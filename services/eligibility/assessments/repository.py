"""SQL for assessment receipts; reads take the caller's jurisdiction scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.assessments.models import AssessmentReceiptRow
from shared.contracts.assessment import AssessmentGrade
from shared.pagination import PageParams, keyset_page

Row = AssessmentReceiptRow


def _scoped(stmt: sa.Select[Row], scope: str | None) -> sa.Select[Row]:
    return stmt if scope is None else stmt.where(Row.jurisdiction_code == scope)


async def add(session: AsyncSession, receipt: Row) -> Row:
    session.add(receipt)
    await session.flush()
    return receipt


async def get(session: AsyncSession, receipt_id: uuid.UUID, scope: str | None) -> Row | None:
    stmt = _scoped(sa.select(Row).where(Row.id == receipt_id), scope)
    return (await session.scalars(stmt)).one_or_none()


async def list_page(
    session: AsyncSession,
    scope: str | None,
    page: PageParams,
    *,
    space_id: uuid.UUID | None = None,
    year: int | None = None,
    grade: AssessmentGrade | None = None,
) -> Sequence[Row]:
    stmt = _scoped(sa.select(Row), scope)
    if space_id is not None:
        stmt = stmt.where(Row.space_id == space_id)
    if year is not None:
        stmt = stmt.where(Row.year == year)
    if grade is not None:
        stmt = stmt.where(Row.grade == grade)
    stmt = keyset_page(
        stmt,
        [Row.created_at.expression, Row.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
