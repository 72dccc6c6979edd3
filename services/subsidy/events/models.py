"""Every registry event received, by its id: a redelivery finds its row and does nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.subsidy.db import Base
from shared.db import UTCDateTime


class ReceivedEvent(Base):
    __tablename__ = "received_events"

    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    payload: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[str] = mapped_column(sa.String(1000))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_from: Mapped[str] = mapped_column(sa.String(200))


class SpaceMove(Base):
    """A space's move to another jurisdiction (属地变更) as the registry reported it (append-only).

    The subsidy's own record of who manages a space now: the latest move's ``to_code`` (by
    ``move_no``), or, for a space never moved, the jurisdiction its records were made in.
    Awards, payments and cases keep the jurisdiction they were made in; scope checks read
    the current one (services.subsidy.scope).
    """

    __tablename__ = "space_moves"

    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    move_no: Mapped[int] = mapped_column(sa.Integer)
    from_code: Mapped[str] = mapped_column(sa.String(10))
    to_code: Mapped[str] = mapped_column(sa.String(10))
    moved_on: Mapped[date] = mapped_column(sa.Date)
    document_no: Mapped[str] = mapped_column(sa.String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("space_id", "move_no", name="uq_space_moves_space_id_move_no"),
        sa.CheckConstraint("move_no >= 1", name="move_no_positive"),
        sa.CheckConstraint("from_code <> to_code", name="moves_somewhere"),
    )
