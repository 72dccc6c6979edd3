"""SQL for the outbox: the feed, and each subscriber's cursor and acknowledged deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.events.models import EventDelivery, RegistryEventRecord, SubscriberCursor


async def after(session: AsyncSession, sequence: int, limit: int) -> Sequence[RegistryEventRecord]:
    stmt = (
        sa.select(RegistryEventRecord)
        .where(RegistryEventRecord.sequence > sequence)
        .order_by(RegistryEventRecord.sequence)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def cursor(session: AsyncSession, subscriber: str, now: datetime) -> SubscriberCursor:
    """The subscriber's cursor, created at 0 (every event from the first) if it has none."""
    stmt = (
        sa.select(SubscriberCursor)
        .where(SubscriberCursor.subscriber == subscriber)
        .execution_options(populate_existing=True)
    )
    found = (await session.scalars(stmt)).one_or_none()
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # Two dispatchers starting together may both get here: the second insert does nothing.
    await session.execute(
        insert(SubscriberCursor)
        .values(
            subscriber=subscriber,
            delivered_through=0,
            failures=0,
            next_attempt_at=None,
            last_error=None,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["subscriber"])
    )
    return (await session.scalars(stmt)).one()


async def acknowledge(
    session: AsyncSession,
    subscriber: str,
    sequence: int,
    *,
    status_code: int,
    attempts: int,
    now: datetime,
) -> bool:
    """Move the cursor from ``sequence - 1`` to ``sequence`` and log the delivery.

    False if another dispatcher moved it first (it delivered the same event: at least once).
    """
    moved = await session.execute(
        sa.update(SubscriberCursor)
        .where(
            SubscriberCursor.subscriber == subscriber,
            SubscriberCursor.delivered_through == sequence - 1,
        )
        .values(
            delivered_through=sequence,
            failures=0,
            next_attempt_at=None,
            last_error=None,
            updated_at=now,
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        EventDelivery(
            subscriber=subscriber,
            sequence=sequence,
            delivered_at=now,
            status_code=status_code,
            attempts=attempts,
        )
    )
    await session.flush()
    return True


async def record_failure(
    session: AsyncSession,
    subscriber: str,
    sequence: int,
    *,
    error: str,
    retry_at: datetime,
    now: datetime,
) -> None:
    await session.execute(
        sa.update(SubscriberCursor)
        .where(
            SubscriberCursor.subscriber == subscriber,
            SubscriberCursor.delivered_through == sequence - 1,
        )
        .values(
            failures=SubscriberCursor.failures + 1,
            next_attempt_at=retry_at,
            last_error=error[:1000],
            updated_at=now,
        )
    )


async def last_sequence(session: AsyncSession) -> int:
    last = await session.execute(sa.select(sa.func.max(RegistryEventRecord.sequence)))
    return int(last.scalar() or 0)


async def cursors(session: AsyncSession, subscribers: Sequence[str]) -> dict[str, SubscriberCursor]:
    stmt = sa.select(SubscriberCursor).where(SubscriberCursor.subscriber.in_(subscribers))
    return {row.subscriber: row for row in (await session.scalars(stmt)).all()}
