"""A payment instruction: identified when created, then sent, then confirmed or failed.

Failed, confirmed and cancelled are final for an instruction; a retry is a new instruction.
An offset (抵扣) is a tranche settled against a recovery instead of paid.
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


class DisbursementStatus(StrEnum):
    CREATED = "created"  # 已生成: identified, money reserved, not yet sent to the bank
    SENT = "sent"  # 已发送
    CONFIRMED = "confirmed"  # 已到账
    FAILED = "failed"  # 失败 (final: a retry is a new instruction)
    CANCELLED = "cancelled"  # 已取消 (only before sending)


class DisbursementMethod(StrEnum):
    PAYMENT = "payment"  # 银行支付
    OFFSET = "offset"  # 抵扣应追回款项


FINAL = (DisbursementStatus.CONFIRMED, DisbursementStatus.FAILED, DisbursementStatus.CANCELLED)


class Disbursement(Base):
    __tablename__ = "disbursements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    award_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("awards.id"), index=True)
    tranche_no: Mapped[int] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(BigInt)
    method: Mapped[DisbursementMethod] = mapped_column(
        str_enum(DisbursementMethod, "disbursement_method", 10)
    )
    recovery_case_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("recovery_cases.id"), index=True
    )
    payee_name: Mapped[str | None] = mapped_column(sa.String(200))
    payee_account: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[DisbursementStatus] = mapped_column(
        str_enum(DisbursementStatus, "disbursement_status", 20)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by: Mapped[str | None] = mapped_column(sa.String(200))
    settled_on: Mapped[date | None] = mapped_column(sa.Date)
    bank_reference: Mapped[str | None] = mapped_column(sa.String(100))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(sa.String(200))
    end_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("tranche_no >= 1", name="tranche_positive"),
        sa.UniqueConstraint("award_id", "tranche_no", name="uq_disbursements_award_tranche"),
        sa.CheckConstraint(
            "(method = 'offset') = (recovery_case_id IS NOT NULL)", name="offset_names_case"
        ),
        sa.CheckConstraint(
            "(status = 'created' AND sent_at IS NULL AND ended_at IS NULL) OR "
            "(status = 'sent' AND sent_at IS NOT NULL AND ended_at IS NULL) OR "
            "(status = 'confirmed' AND ended_at IS NOT NULL AND settled_on IS NOT NULL) OR "
            "(status IN ('failed', 'cancelled') AND ended_at IS NOT NULL "
            "AND end_reason IS NOT NULL AND settled_on IS NULL)",
            name="status_recorded",
        ),
        sa.Index("ix_disbursements_created_at_id", "created_at", "id"),
    )
