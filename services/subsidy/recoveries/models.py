"""Recovery cases and what settled them. Amounts owed and settled live in the ledger.

A case's receivable account holds what is outstanding; repayments and offsets move it to
recovered, a write-off (approved by a second person) to written off.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.subsidy.db import Base
from services.subsidy.ledger.models import BigInt
from shared.db import UTCDateTime, str_enum


class RecoveryGround(StrEnum):
    FALSE_MATERIALS = "false_materials"  # 以虚假材料取得认定 (opened on the registry's event)
    MISUSE = "misuse"  # 未按规定使用财政资金 (opened by the bureau)


class CaseStatus(StrEnum):
    OPEN = "open"  # outstanding > 0
    RECOVERED = "recovered"  # nothing outstanding; closed
    WRITTEN_OFF = "written_off"  # the rest written off with approval; closed


class SettlementKind(StrEnum):
    REPAYMENT = "repayment"  # 退回
    OFFSET = "offset"  # 抵扣
    WRITE_OFF = "write_off"  # 核销


class RecoveryCase(Base):
    __tablename__ = "recovery_cases"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10), index=True)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    ground: Mapped[RecoveryGround] = mapped_column(str_enum(RecoveryGround, "recovery_ground", 20))
    legal_basis: Mapped[str] = mapped_column(sa.String(500))
    document_no: Mapped[str] = mapped_column(sa.String(200))
    determined_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    event_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, unique=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status", 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    write_off_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    write_off_requested_by: Mapped[str | None] = mapped_column(sa.String(200))
    write_off_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("due_on >= determined_on", name="due_after_determination"),
        sa.CheckConstraint(
            "(write_off_requested_at IS NULL AND write_off_requested_by IS NULL "
            "AND write_off_reason IS NULL) OR (write_off_requested_at IS NOT NULL "
            "AND write_off_requested_by IS NOT NULL AND write_off_reason IS NOT NULL)",
            name="write_off_request_recorded",
        ),
        sa.Index("ix_recovery_cases_created_at_id", "created_at", "id"),
    )


class Settlement(Base):
    """One repayment, offset or write-off of a case (append-only; a correction is a reversal)."""

    __tablename__ = "recovery_settlements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("recovery_cases.id"), index=True
    )
    kind: Mapped[SettlementKind] = mapped_column(str_enum(SettlementKind, "settlement_kind", 20))
    amount_fen: Mapped[int] = mapped_column(BigInt)
    settled_on: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(200))
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("ledger_entries.id"))
    disbursement_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("disbursements.id")
    )
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(kind = 'write_off') = (approved_by IS NOT NULL)", name="write_off_approved"
        ),
        sa.CheckConstraint(
            "(kind = 'offset') = (disbursement_id IS NOT NULL)", name="offset_names_tranche"
        ),
    )
