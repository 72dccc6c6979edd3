"""SQL for teams and their events. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.teams.models import Team, TeamDayCount, TeamEvent
from services.registry.teams.schemas import TeamFilters
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, team: Team, joined: TeamEvent) -> Team:
    session.add(team)
    # The event references the team: flush it first.
    await session.flush()
    session.add(joined)
    await session.flush()
    return team


async def get(
    session: AsyncSession, space_id: uuid.UUID, team_id: uuid.UUID, *, for_update: bool = False
) -> Team | None:
    stmt = sa.select(Team).where(Team.id == team_id, Team.space_id == space_id)
    if for_update:
        # Two requests ending the same team queue here; the second then sees it has ended.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def record_end(session: AsyncSession, event: TeamEvent) -> None:
    """Write the team's changed row and append the event, in the caller's transaction."""
    await session.flush()
    session.add(event)
    await session.flush()


async def count_day(
    session: AsyncSession,
    jurisdiction_code: str,
    day: date,
    *,
    joined: int = 0,
    left: int = 0,
    graduated: int = 0,
    moved_in: int = 0,
    moved_out: int = 0,
) -> None:
    """Add to the day's counts in the jurisdiction (one upsert; the row is made on first use).

    A count may be negative (``rollup`` takes a contribution back); the row's CHECKs then hold
    because what is taken back was added before.
    """
    values = {
        "jurisdiction_code": jurisdiction_code,
        "day": day,
        "joined_count": joined,
        "left_count": left,
        "graduated_count": graduated,
        "moved_in_count": moved_in,
        "moved_out_count": moved_out,
    }
    if min(joined, left, graduated, moved_in, moved_out) < 0:
        # Taking back counts added before: the row exists. (An upsert would check the
        # negative row it tries to insert against the CHECKs before finding the conflict.)
        result = await session.execute(
            sa.update(TeamDayCount)
            .where(TeamDayCount.jurisdiction_code == jurisdiction_code, TeamDayCount.day == day)
            .values(
                joined_count=TeamDayCount.joined_count + joined,
                left_count=TeamDayCount.left_count + left,
                graduated_count=TeamDayCount.graduated_count + graduated,
                moved_in_count=TeamDayCount.moved_in_count + moved_in,
                moved_out_count=TeamDayCount.moved_out_count + moved_out,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError(f"team_day_counts has no row {jurisdiction_code} {day} to adjust")
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(TeamDayCount).values(values)
    excluded = stmt.excluded
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[TeamDayCount.jurisdiction_code, TeamDayCount.day],
            set_={
                "joined_count": TeamDayCount.joined_count + excluded.joined_count,
                "left_count": TeamDayCount.left_count + excluded.left_count,
                "graduated_count": TeamDayCount.graduated_count + excluded.graduated_count,
                "moved_in_count": TeamDayCount.moved_in_count + excluded.moved_in_count,
                "moved_out_count": TeamDayCount.moved_out_count + excluded.moved_out_count,
            },
        )
    )


async def events_of(session: AsyncSession, team_id: uuid.UUID) -> Sequence[TeamEvent]:
    stmt = (
        sa.select(TeamEvent)
        .where(TeamEvent.team_id == team_id)
        .order_by(TeamEvent.recorded_at, TeamEvent.occurred_on)
    )
    return (await session.scalars(stmt)).all()


async def list_page(
    session: AsyncSession, space_id: uuid.UUID, filters: TeamFilters, page: PageParams
) -> Sequence[Team]:
    stmt = sa.select(Team).where(Team.space_id == space_id)
    if filters.status is not None:
        stmt = stmt.where(Team.status == filters.status)
    if filters.field is not None:
        stmt = stmt.where(Team.field == filters.field)
    stmt = keyset_page(
        stmt,
        [Team.created_at.expression, Team.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
