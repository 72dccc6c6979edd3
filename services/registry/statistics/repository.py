"""The statistics queries: each one aggregate in the database, over the spaces in scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registry.activities.models import Activity
from services.registry.assessments.models import SpaceAssessment
from services.registry.levels.models import SpaceLevelGrant
from services.registry.levels.repository import held_condition
from services.registry.spaces.models import Space
from services.registry.status.models import SpaceStatusChange
from services.registry.teams.models import TeamDayCount


def spaces_in_scope(as_of: date, jurisdiction: str | None) -> sa.Subquery:
    """The spaces open on ``as_of`` (within ``jurisdiction`` if given)."""
    stmt = sa.select(Space.id, Space.jurisdiction_code, Space.form, Space.profile).where(
        Space.opened_on <= as_of
    )
    if jurisdiction is not None:
        stmt = stmt.where(Space.jurisdiction_code == jurisdiction)
    return stmt.subquery("scoped")


async def _grouped(session: AsyncSession, stmt: sa.Select[Any, Any]) -> dict[str, int]:
    return {str(key): int(count) for key, count in (await session.execute(stmt)).all()}


async def count_spaces_by(
    session: AsyncSession, scoped: sa.Subquery, column: str
) -> dict[str, int]:
    key = scoped.c[column]
    return await _grouped(session, sa.select(key, sa.func.count()).group_by(key))


async def count_spaces_by_status(
    session: AsyncSession, scoped: sa.Subquery, as_of: date
) -> dict[str, int]:
    """By the status in force at the end of ``as_of``: the record with the highest seq then."""
    current = (
        sa.select(
            SpaceStatusChange.space_id.label("space_id"),
            sa.func.max(SpaceStatusChange.seq).label("seq"),
        )
        # The registration record is in force from the space's opened_on, which a correction
        # may have moved earlier than the record's own date (the scope has opened_on <= as_of).
        .where(sa.or_(SpaceStatusChange.effective_on <= as_of, SpaceStatusChange.seq == 1))
        .group_by(SpaceStatusChange.space_id)
        .subquery("current")
    )
    stmt = (
        sa.select(SpaceStatusChange.status, sa.func.count())
        .join(current, current.c.space_id == SpaceStatusChange.space_id)
        .join(scoped, scoped.c.id == SpaceStatusChange.space_id)
        .where(SpaceStatusChange.seq == current.c.seq)
        .group_by(SpaceStatusChange.status)
    )
    return await _grouped(session, stmt)


async def count_levels(
    session: AsyncSession, scoped: sa.Subquery, as_of: date
) -> tuple[dict[str, int], int, dict[str, int]]:
    """(spaces by level held, spaces holding any level, those by jurisdiction)."""
    held = (
        sa.select(SpaceLevelGrant.space_id, SpaceLevelGrant.level, scoped.c.jurisdiction_code)
        .join(scoped, scoped.c.id == SpaceLevelGrant.space_id)
        .where(held_condition(as_of))
        .subquery("held")
    )
    by_level = await _grouped(
        session,
        sa.select(held.c.level, sa.func.count(sa.distinct(held.c.space_id))).group_by(held.c.level),
    )
    any_level = int(
        (await session.execute(sa.select(sa.func.count(sa.distinct(held.c.space_id))))).scalar_one()
    )
    by_jurisdiction = await _grouped(
        session,
        sa.select(held.c.jurisdiction_code, sa.func.count(sa.distinct(held.c.space_id))).group_by(
            held.c.jurisdiction_code
        ),
    )
    return by_level, any_level, by_jurisdiction


async def count_teams(
    session: AsyncSession, jurisdiction: str | None, as_of: date, year_start: date, through: date
) -> tuple[int, int, int]:
    """(in incubation on as_of, graduated by as_of, graduated from year_start to through).

    From the per-day rollup, not the teams themselves: in incubation on a day is every team
    that joined (or was moved in with its space) on or before it less every team that left
    (or was moved out) on or before it (``teams.rollup``). Graduations count where the space
    was managed on the day of the graduation. A team joins only a space already open
    (``teams.service``), so these are the teams of the spaces open on as_of, as the other
    figures count spaces.
    """
    day = TeamDayCount.day
    stmt = sa.select(
        sa.func.coalesce(
            sa.func.sum(
                TeamDayCount.joined_count
                + TeamDayCount.moved_in_count
                - TeamDayCount.left_count
                - TeamDayCount.moved_out_count
            ).filter(day <= as_of),
            0,
        ),
        sa.func.coalesce(sa.func.sum(TeamDayCount.graduated_count).filter(day <= as_of), 0),
        sa.func.coalesce(
            sa.func.sum(TeamDayCount.graduated_count).filter(day >= year_start, day <= through),
            0,
        ),
    ).where(day <= as_of)
    if jurisdiction is not None:
        stmt = stmt.where(TeamDayCount.jurisdiction_code == jurisdiction)
    in_incubation, graduated_total, graduated_in_year = (await session.execute(stmt)).one()
    return int(in_incubation), int(graduated_total), int(graduated_in_year)


async def count_activities(
    session: AsyncSession, scoped: sa.Subquery, start: date, through: date
) -> dict[str, tuple[int, int]]:
    """Per kind: (activities held from ``start`` through ``through``, their attendance)."""
    stmt = (
        sa.select(
            Activity.kind, sa.func.count(), sa.func.coalesce(sa.func.sum(Activity.attendance), 0)
        )
        .join(scoped, scoped.c.id == Activity.space_id)
        .where(Activity.held_on >= start, Activity.held_on <= through)
        .group_by(Activity.kind)
    )
    return {
        str(kind): (int(count), int(attendance))
        for kind, count, attendance in (await session.execute(stmt)).all()
    }


async def count_grades(
    session: AsyncSession, scoped: sa.Subquery, year: int, as_of: date
) -> dict[str, int]:
    """The year's results in force at the end of as_of: per space, the highest revision then."""
    inner = aliased(SpaceAssessment)
    newest = (
        sa.select(sa.func.max(inner.revision))
        .where(
            inner.space_id == SpaceAssessment.space_id,
            inner.year == SpaceAssessment.year,
            inner.assessed_on <= as_of,
        )
        .scalar_subquery()
    )
    stmt = (
        sa.select(SpaceAssessment.grade, sa.func.count())
        .join(scoped, scoped.c.id == SpaceAssessment.space_id)
        .where(
            SpaceAssessment.year == year,
            SpaceAssessment.assessed_on <= as_of,
            SpaceAssessment.revision == newest,
        )
        .group_by(SpaceAssessment.grade)
    )
    return await _grouped(session, stmt)
