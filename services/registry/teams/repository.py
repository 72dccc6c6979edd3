"""SQL for teams and their events. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.teams.models import Team, TeamEvent
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
