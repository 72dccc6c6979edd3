"""SQL for assessment results and a year's indicators. The caller has already found the space
within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registry.activities.models import Activity, ActivityKind
from services.registry.assessments.models import SpaceAssessment
from services.registry.teams.models import Team, TeamStatus
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


async def activity_counts(
    session: AsyncSession, space_id: uuid.UUID, start: date, through: date
) -> dict[ActivityKind, tuple[int, int]]:
    """Per kind: (activities held from ``start`` through ``through``, their attendance)."""
    stmt = (
        sa.select(
            Activity.kind, sa.func.count(), sa.func.coalesce(sa.func.sum(Activity.attendance), 0)
        )
        .where(
            Activity.space_id == space_id,
            Activity.held_on >= start,
            Activity.held_on <= through,
        )
        .group_by(Activity.kind)
    )
    return {
        ActivityKind(kind): (int(count), int(attendance))
        for kind, count, attendance in (await session.execute(stmt)).all()
    }


async def team_counts(
    session: AsyncSession, space_id: uuid.UUID, start: date, through: date
) -> tuple[int, int, int]:
    """(in incubation at the end of ``through``, admitted from ``start`` through ``through``,
    graduated in that time with a registered enterprise)."""
    in_incubation = sa.func.count().filter(
        Team.joined_on <= through, sa.or_(Team.left_on.is_(None), Team.left_on > through)
    )
    admitted = sa.func.count().filter(Team.joined_on >= start, Team.joined_on <= through)
    graduated = sa.func.count().filter(
        Team.status == TeamStatus.GRADUATED,
        Team.left_on >= start,
        Team.left_on <= through,
        Team.registered_enterprise_name.isnot(None),
    )
    stmt = sa.select(in_incubation, admitted, graduated).where(Team.space_id == space_id)
    teams, joined, registered = (await session.execute(stmt)).one()
    return int(teams), int(joined), int(registered)
