"""space_level_grants (a level held from a date, with its document) and space_level_ends.

Both are append-only in the database: a level's end is a separate record made once (unique
per grant), never an edit of the grant. A level is held at the end of a day D when it took
effect on or before D and has no end on or before D (``ended_on`` is the first day it is no
longer held, the date of the withdrawal or revocation).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.spaces import SpaceLevel
from shared.db import UTCDateTime, str_enum


class SpaceLevelGrant(Base):
    """A level held from ``effective_on`` by the document ``document_no`` (append-only)."""

    __tablename__ = "space_level_grants"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    level: Mapped[SpaceLevel] = mapped_column(str_enum(SpaceLevel, "space_level", 20))
    document_no: Mapped[str] = mapped_column(sa.String(200))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    # The status change (recognition) that made a municipal level; None for recorded levels.
    status_change_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_status_changes.id")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint(
            "(level = 'municipal') = (status_change_id IS NOT NULL)",
            name="municipal_from_recognition",
        ),
        sa.Index("ix_space_level_grants_space_id_effective_on", "space_id", "effective_on"),
    )


class SpaceLevelEnd(Base):
    """The end of one grant: withdrawn by the bureau, or ended by revocation (append-only)."""

    __tablename__ = "space_level_ends"

    grant_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_level_grants.id"), primary_key=True
    )
    ended_on: Mapped[date] = mapped_column(sa.Date)
    document_no: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.String(1000))
    # The revocation that ended a municipal level; None for a withdrawal.
    status_change_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_status_changes.id")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
