"""SQL for calendar years and their dates. The calendar is the whole country's: no scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.calendar.models import CalendarDay, CalendarYear


async def current_version(session: AsyncSession, year: int) -> CalendarYear | None:
    """The latest version of ``year``, or None if the year was never loaded."""
    stmt = (
        sa.select(CalendarYear)
        .where(CalendarYear.year == year)
        .order_by(CalendarYear.version.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def versions_of(session: AsyncSession, year: int) -> Sequence[CalendarYear]:
    """Every version of ``year``, the latest first."""
    stmt = (
        sa.select(CalendarYear)
        .where(CalendarYear.year == year)
        .order_by(CalendarYear.version.desc())
    )
    return (await session.scalars(stmt)).all()


async def days_of(
    session: AsyncSession, year: int, versions: Iterable[int]
) -> Sequence[CalendarDay]:
    stmt = (
        sa.select(CalendarDay)
        .where(CalendarDay.year == year, CalendarDay.version.in_(list(versions)))
        .order_by(CalendarDay.version, CalendarDay.day)
    )
    return (await session.scalars(stmt)).all()


async def current_versions(session: AsyncSession) -> Sequence[tuple[CalendarYear, int]]:
    """The current version of every loaded year, oldest year first, with its version count."""
    latest = (
        sa.select(
            CalendarYear.year,
            sa.func.max(CalendarYear.version).label("version"),
        )
        .group_by(CalendarYear.year)
        .subquery()
    )
    stmt = (
        sa.select(CalendarYear, latest.c.version)
        .join(
            latest,
            sa.and_(CalendarYear.year == latest.c.year, CalendarYear.version == latest.c.version),
        )
        .order_by(CalendarYear.year)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


def _year_key(year: int) -> int:
    return 0x43414C000000 + year  # "CAL" and the year


async def lock_year(session: AsyncSession, year: int) -> None:
    """Taken by a correction of ``year`` for the rest of its transaction (PostgreSQL; SQLite
    writes one at a time anyway): a clock computed on the year's calendar meanwhile waits for
    it, and a clock being computed makes the correction wait, so no clock misses it."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_year_key(year))))


async def share_year(session: AsyncSession, year: int) -> None:
    """Taken before reading ``year``'s calendar: shared with other readers, not a correction."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(_year_key(year))))


async def add_version(
    session: AsyncSession, year: CalendarYear, days: Iterable[CalendarDay]
) -> CalendarYear:
    session.add(year)
    await session.flush()
    session.add_all(list(days))
    await session.flush()
    return year
