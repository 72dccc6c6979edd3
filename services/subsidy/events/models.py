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
