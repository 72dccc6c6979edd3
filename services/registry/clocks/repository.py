"""SQL for time limits, clocks, their suspensions and history. Clocks belong to subjects
(applications) whose scope their callers check; nothing here narrows by jurisdiction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.clocks.models import (
    ClockState,
    ProcedureClock,
    ProcedureClockHistory,
    ProcedureClockSuspension,
    ProcedureStep,
    ProcedureTimeLimit,
)


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(list(rows))
    await session.flush()


async def current_limit(session: AsyncSession, step: ProcedureStep) -> ProcedureTimeLimit | None:
    stmt = (
        sa.select(ProcedureTimeLimit)
        .where(ProcedureTimeLimit.step == step)
        .order_by(ProcedureTimeLimit.version.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def all_limits(session: AsyncSession) -> Sequence[ProcedureTimeLimit]:
    """Every version of every step's limit, by step and the latest version first."""
    stmt = sa.select(ProcedureTimeLimit).order_by(
        ProcedureTimeLimit.step, ProcedureTimeLimit.version.desc()
    )
    return (await session.scalars(stmt)).all()


async def lock_limits(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(0x434C4B4C494D)))


async def get_clock(
    session: AsyncSession, clock_id: uuid.UUID, *, for_update: bool = False
) -> ProcedureClock | None:
    stmt = sa.select(ProcedureClock).where(ProcedureClock.id == clock_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def open_clock(
    session: AsyncSession, subject_id: uuid.UUID, step: ProcedureStep, *, for_update: bool = False
) -> ProcedureClock | None:
    """The subject's clock of ``step`` that is not stopped, if any."""
    stmt = sa.select(ProcedureClock).where(
        ProcedureClock.subject_id == subject_id,
        ProcedureClock.step == step,
        ProcedureClock.state != ClockState.STOPPED,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def clocks_of(session: AsyncSession, subject_id: uuid.UUID) -> Sequence[ProcedureClock]:
    stmt = (
        sa.select(ProcedureClock)
        .where(ProcedureClock.subject_id == subject_id)
        .order_by(ProcedureClock.started_on, ProcedureClock.created_at, ProcedureClock.id)
    )
    return (await session.scalars(stmt)).all()


async def suspensions_of(
    session: AsyncSession, clock_ids: Iterable[uuid.UUID]
) -> Sequence[ProcedureClockSuspension]:
    ids = list(clock_ids)
    if not ids:
        return []
    stmt = (
        sa.select(ProcedureClockSuspension)
        .where(ProcedureClockSuspension.clock_id.in_(ids))
        .order_by(ProcedureClockSuspension.suspended_on, ProcedureClockSuspension.recorded_at)
    )
    return (await session.scalars(stmt)).all()


async def open_suspension(
    session: AsyncSession, clock_id: uuid.UUID
) -> ProcedureClockSuspension | None:
    stmt = sa.select(ProcedureClockSuspension).where(
        ProcedureClockSuspension.clock_id == clock_id,
        ProcedureClockSuspension.resumed_on.is_(None),
    )
    return (await session.scalars(stmt)).first()


async def history_of(
    session: AsyncSession, clock_ids: Iterable[uuid.UUID]
) -> Sequence[ProcedureClockHistory]:
    ids = list(clock_ids)
    if not ids:
        return []
    stmt = (
        sa.select(ProcedureClockHistory)
        .where(ProcedureClockHistory.clock_id.in_(ids))
        .order_by(ProcedureClockHistory.recorded_at, ProcedureClockHistory.id)
    )
    return (await session.scalars(stmt)).all()


async def clocks_to_recompute(
    session: AsyncSession, year: int, today: date
) -> Sequence[ProcedureClock]:
    """Running clocks whose period reaches into ``year`` (a publicity period only until its
    last day has passed), and clocks not suspended whose due date awaited ``year``'s calendar,
    locked for the recomputation."""
    reaching = sa.and_(
        ProcedureClock.state == ClockState.RUNNING,
        ProcedureClock.started_on <= date(year, 12, 31),
        ProcedureClock.due_on >= date(year, 1, 1),
        sa.or_(
            ProcedureClock.step != ProcedureStep.PUBLICITY,
            ProcedureClock.due_on >= today,
        ),
    )
    awaiting = sa.and_(
        ProcedureClock.state != ClockState.SUSPENDED, ProcedureClock.awaiting_year == year
    )
    stmt = (
        sa.select(ProcedureClock)
        .where(sa.or_(reaching, awaiting))
        .order_by(ProcedureClock.id)
        .with_for_update()
    )
    return (await session.scalars(stmt)).all()


async def overdue(session: AsyncSession, today: date) -> Sequence[ProcedureClock]:
    """Running clocks whose last day has passed."""
    stmt = (
        sa.select(ProcedureClock)
        .where(ProcedureClock.state == ClockState.RUNNING, ProcedureClock.due_on < today)
        .order_by(ProcedureClock.due_on, ProcedureClock.id)
    )
    return (await session.scalars(stmt)).all()
