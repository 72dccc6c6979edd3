"""The staff_members table. A member leaving is an end date on the row, never a deletion."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime

# The departure is recorded whole (date, when, by whom) or not at all.
DEPARTURE_RECORDED = (
    "(ended_on IS NULL AND ended_recorded_at IS NULL AND ended_recorded_by IS NULL) OR "
    "(ended_on IS NOT NULL AND ended_recorded_at IS NOT NULL AND ended_recorded_by IS NOT NULL)"
)


class StaffMember(Base):
    __tablename__ = "staff_members"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(100))
    qualifications: Mapped[str | None] = mapped_column(sa.String(1000))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_recorded_by: Mapped[str | None] = mapped_column(sa.String(200))
    # Why the member left and the registry document of the space supporting it, if given.
    departure_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    departure_document_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("documents.id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_start"),
        sa.CheckConstraint(DEPARTURE_RECORDED, name="departure_recorded"),
        sa.CheckConstraint(
            "ended_on IS NOT NULL OR (departure_reason IS NULL AND departure_document_id IS NULL)",
            name="departure_detail_with_departure",
        ),
        sa.Index("ix_staff_members_space_id_created_at_id", "space_id", "created_at", "id"),
    )
