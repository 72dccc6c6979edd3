"""SQL for assessment results. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registry.assessments.models import SpaceAssessment
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, assessment: SpaceAssessment) -> SpaceAssessment:
    session.add(assessment)
    await session.flush()
    return assessment


async def latest_for_year(
    session: AsyncSession, space_id: uuid.UUID, year: int
) -> SpaceAssessment | None:
    stmt = (
        sa.select(SpaceAssessment)
        .where(SpaceAssessment.space_id == space_id, SpaceAssessment.year == year)
        .order_by(SpaceAssessment.revision.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def page_of_space(
    session: AsyncSession, space_id: uuid.UUID, year: int | None, page: PageParams
) -> Sequence[tuple[SpaceAssessment, bool]]:
    """Every record of the space by year and revision, each with whether it is in force."""
    inner = aliased(SpaceAssessment)
    newest = (
        sa.select(sa.func.max(inner.revision))
        .where(inner.space_id == SpaceAssessment.space_id, inner.year == SpaceAssessment.year)
        .scalar_subquery()
    )
    in_force = (SpaceAssessment.revision == newest).label("in_force")
    stmt = sa.select(SpaceAssessment, in_force).where(SpaceAssessment.space_id == space_id)
    if year is not None:
        stmt = stmt.where(SpaceAssessment.year == year)
    paged = keyset_page(
        cast("sa.Select[Any]", stmt),  # a multi-column select pages like any other
        [SpaceAssessment.year.expression, SpaceAssessment.revision.expression],
        page,
        [int, int],
    )
    return [(row[0], bool(row[1])) for row in (await session.execute(paged)).all()]
