"""What each team adds to the statistics' per-day rollup (``team_day_counts``), given the
jurisdictions its space has had.

A team counts +1 joined on the day it joined and +1 left (and graduated, if it graduated) on
the day it left, each in the jurisdiction that managed the space that day. For each move of
the space (the bureau's act, ``spaces.service.change_jurisdiction``) on a day the team is in
incubation at the start of (it joined before that day and had not left before it), it counts
+1 moved out of the old jurisdiction and +1 moved into the new one on the move's day. Every
write states the team's or the space's contribution before and after, and applies the
difference, so the rollup is always the sum of these contributions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.spaces.models import Space, SpaceJurisdictionChange
from services.registry.teams import repository
from services.registry.teams.models import Team, TeamStatus

# (from this day, the jurisdiction in force); the first starts at date.min.
Segments = list[tuple[date, str]]
# (jurisdiction, day) -> [joined, left, graduated, moved in, moved out]
Delta = dict[tuple[str, date], list[int]]


@dataclass(frozen=True)
class TeamDates:
    joined_on: date
    left_on: date | None = None
    graduated: bool = False


async def segments_of(session: AsyncSession, space: Space) -> Segments:
    stmt = (
        sa.select(SpaceJurisdictionChange)
        .where(SpaceJurisdictionChange.space_id == space.id)
        .order_by(SpaceJurisdictionChange.seq)
    )
    changes = (await session.scalars(stmt)).all()
    if not changes:
        return [(date.min, space.jurisdiction_code)]
    return [(date.min, changes[0].from_code), *((c.effective_on, c.to_code) for c in changes)]


def jurisdiction_on(segments: Segments, day: date) -> str:
    code = segments[0][1]
    for start, to_code in segments[1:]:
        if start <= day:
            code = to_code
    return code


def add_contribution(delta: Delta, team: TeamDates, segments: Segments, sign: int) -> None:
    def bump(code: str, day: date, index: int) -> None:
        delta.setdefault((code, day), [0, 0, 0, 0, 0])[index] += sign

    bump(jurisdiction_on(segments, team.joined_on), team.joined_on, 0)
    if team.left_on is not None:
        code = jurisdiction_on(segments, team.left_on)
        bump(code, team.left_on, 1)
        if team.graduated:
            bump(code, team.left_on, 2)
    for k in range(1, len(segments)):
        start, to_code = segments[k]
        if team.joined_on < start and (team.left_on is None or team.left_on >= start):
            bump(segments[k - 1][1], start, 4)
            bump(to_code, start, 3)


async def apply(session: AsyncSession, delta: Delta) -> None:
    for (code, day), (joined, left, graduated, moved_in, moved_out) in sorted(delta.items()):
        if joined or left or graduated or moved_in or moved_out:
            await repository.count_day(
                session,
                code,
                day,
                joined=joined,
                left=left,
                graduated=graduated,
                moved_in=moved_in,
                moved_out=moved_out,
            )


async def team_changed(
    session: AsyncSession, space: Space, before: TeamDates | None, after: TeamDates
) -> None:
    """Count a team's joining (``before`` None) or its end in the rollup."""
    segments = await segments_of(session, space)
    delta: Delta = {}
    if before is not None:
        add_contribution(delta, before, segments, -1)
    add_contribution(delta, after, segments, +1)
    await apply(session, delta)


async def space_moved(
    session: AsyncSession, space_id: uuid.UUID, before: Segments, after: Segments
) -> None:
    """Recount the space's teams after its jurisdictions changed from ``before`` to ``after``."""
    delta: Delta = {}
    for team in await _teams_of(session, space_id):
        add_contribution(delta, team, before, -1)
        add_contribution(delta, team, after, +1)
    await apply(session, delta)


async def _teams_of(session: AsyncSession, space_id: uuid.UUID) -> Iterable[TeamDates]:
    rows = await session.execute(
        sa.select(Team.joined_on, Team.left_on, Team.status).where(Team.space_id == space_id)
    )
    return [
        TeamDates(joined_on, left_on, status == TeamStatus.GRADUATED)
        for joined_on, left_on, status in rows
    ]
