"""Decision receipts: append-only; the database refuses to change or delete one."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.db import Base
from services.eligibility.engine.outcome import OverallVerdict
from shared.db import UTCDateTime, str_enum


class DecisionReceipt(Base):
    __tablename__ = "decision_receipts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    requested_role: Mapped[str] = mapped_column(sa.String(40))
    space_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    jurisdiction_code: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    application_date: Mapped[date] = mapped_column(sa.Date)
    ruleset_id: Mapped[str] = mapped_column(sa.String(64))
    ruleset_hash: Mapped[str] = mapped_column(sa.String(64))
    engine_version: Mapped[str] = mapped_column(sa.String(20))
    input_hash: Mapped[str] = mapped_column(sa.String(64))
    verdict: Mapped[OverallVerdict] = mapped_column(str_enum(OverallVerdict, "overall_verdict", 20))
    facts: Mapped[str] = mapped_column(sa.Text, doc="the facts as given, canonical JSON")
    decision: Mapped[str] = mapped_column(sa.Text, doc="the decision, canonical JSON")

    __table_args__ = (
        sa.Index("ix_decision_receipts_space", "space_id", "created_at"),
        sa.Index("ix_decision_receipts_created", "created_at", "id"),
    )
