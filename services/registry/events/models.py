"""registry_events (the outbox, append-only), and each subscriber's delivery progress.

An event is written in the transaction of the act it reports, with a ``sequence`` taken under
a lock so sequences commit in order: a reader that has seen sequence n never later finds a
smaller one appear. Each subscriber gets the events in sequence order; its cursor says how far
it has acknowledged, and ``event_deliveries`` keeps every acknowledged delivery.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime

_BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class RegistryEventRecord(Base):
    """One event as the subscribers receive it (``payload`` is its JSON, append-only)."""

    __tablename__ = "registry_events"

    sequence: Mapped[int] = mapped_column(_BigInt, primary_key=True, autoincrement=False)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"), index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint("sequence >= 1", name="sequence_positive"),)


class SubscriberCursor(Base):
    """How far a subscriber has acknowledged, and when to try it again after a failure."""

    __tablename__ = "event_subscriber_cursors"

    subscriber: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    delivered_through: Mapped[int] = mapped_column(_BigInt)
    failures: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("delivered_through >= 0", name="delivered_through_nonnegative"),
        sa.CheckConstraint("failures >= 0", name="failures_nonnegative"),
    )


class EventDelivery(Base):
    """One acknowledged delivery of an event to a subscriber (append-only)."""

    __tablename__ = "event_deliveries"

    subscriber: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    sequence: Mapped[int] = mapped_column(
        _BigInt, sa.ForeignKey("registry_events.sequence"), primary_key=True
    )
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int] = mapped_column(sa.Integer)
    attempts: Mapped[int] = mapped_column(sa.Integer)
