"""The spaces table (the registry issue grows it: premises, levels, history)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.spaces import SpaceForm, SpaceProfile
from shared.db import UTCDateTime, str_enum


class Space(Base):
    __tablename__ = "spaces"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(200))
    jurisdiction_code: Mapped[str] = mapped_column(
        sa.String(10), sa.ForeignKey("jurisdictions.code")
    )
    form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    profile: Mapped[SpaceProfile] = mapped_column(str_enum(SpaceProfile, "space_profile"))
    opened_on: Mapped[date] = mapped_column(sa.Date)
    # 运营主体: nullable because spaces registered before operators existed have none yet.
    operator_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("operators.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint("jurisdiction_code", "name", name="uq_spaces_jurisdiction_name"),
        sa.Index("ix_spaces_created_at_id", "created_at", "id"),
        # A district's list in key order (and any lookup by jurisdiction).
        sa.Index(
            "ix_spaces_jurisdiction_code_created_at_id", "jurisdiction_code", "created_at", "id"
        ),
    )
