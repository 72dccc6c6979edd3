"""SQL for decision receipts; reads take the caller's jurisdiction scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.engine.outcome import OverallVerdict
from services.eligibility.evaluations.models import DecisionReceipt
from shared.pagination import PageParams, keyset_page


def _scoped(stmt: sa.Select[DecisionReceipt], scope: str | None) -> sa.Select[DecisionReceipt]:
    return stmt if scope is None else stmt.where(DecisionReceipt.jurisdiction_code == scope)


async def add(session: AsyncSession, receipt: DecisionReceipt) -> DecisionReceipt:
    session.add(receipt)
    await session.flush()
    return receipt


async def get(
    session: AsyncSession, receipt_id: uuid.UUID, scope: str | None
) -> DecisionReceipt | None:
    stmt = _scoped(sa.select(DecisionReceipt).where(DecisionReceipt.id == receipt_id), scope)
    return (await session.scalars(stmt)).one_or_none()


async def list_page(
    session: AsyncSession,
    scope: str | None,
    space_id: uuid.UUID | None,
    verdict: OverallVerdict | None,
    page: PageParams,
) -> Sequence[DecisionReceipt]:
    stmt = _scoped(sa.select(DecisionReceipt), scope)
    if space_id is not None:
        stmt = stmt.where(DecisionReceipt.space_id == space_id)
    if verdict is not None:
        stmt = stmt.where(DecisionReceipt.verdict == verdict)
    stmt = keyset_page(
        stmt,
        [DecisionReceipt.created_at.expression, DecisionReceipt.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
