"""A correction of the calendar and what it moves: the year's new version and, in the same
transaction, every running clock that used the year (``clocks.service.recompute_for_calendar``).
The calendar does not import the clocks; this module joins them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.calendar import service as calendar
from services.registry.calendar.schemas import CalendarYearPut
from services.registry.clocks import service as clocks
from shared.auth import Principal


@dataclass(frozen=True)
class CalendarCorrection:
    record: calendar.YearRecord
    changed: bool
    recomputed: list[clocks.Recomputation]


async def record_calendar_year(
    session: AsyncSession, principal: Principal, year: int, data: CalendarYearPut
) -> CalendarCorrection:
    """Load or correct ``year``; a new version recomputes the clocks that used the year."""
    record, changed = await calendar.record_year(session, principal, year, data)
    recomputed: list[clocks.Recomputation] = []
    if changed:
        recomputed = await clocks.recompute_for_calendar(
            session, principal, year, record.current.version.version
        )
    return CalendarCorrection(record, changed, recomputed)
