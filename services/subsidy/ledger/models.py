"""Accounts, journal entries and their transfers.

Modelled on TigerBeetle: an account keeps the sums of its posted debits and credits, and a
flag says which side must never exceed the other, so a balance that must not go negative is
refused by a CHECK constraint as well as by the code. A journal entry is one or more
transfers, each moving a positive amount from one account (credit) to another (debit), so
every entry balances by construction. Entries and transfers are append-only (the database
refuses UPDATE and DELETE on PostgreSQL and SQLite).

Each entry carries the hash of its own content and transfers, computed when it is written.
The sealer then links entries, in the order they committed, into a hash chain
(``ledger_chain``, append-only too): each link hashes the one before it with the entry's
content hash, so changing, removing or reordering anything sealed breaks the chain. Postings
never wait for one another to chain, so concurrent postings commit together.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.subsidy.db import Base
from shared.db import UTCDateTime, str_enum

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AccountKind(StrEnum):
    """What an account holds. All are debit-normal except the appropriation."""

    APPROPRIATION = "appropriation"  # 预算指标: funds appropriated for a fiscal year (credit)
    BUDGET = "budget"  # 可用预算: appropriated, not yet awarded
    COMMITTED = "committed"  # 已批未拨: awarded, not yet instructed for payment
    IN_TRANSIT = "in_transit"  # 拨付在途: instructed for payment, not yet confirmed
    DISBURSED = "disbursed"  # 已拨付: paid and not claimed back
    RECEIVABLE = "receivable"  # 应追回: claimed back, still outstanding
    RECOVERED = "recovered"  # 已追回: repaid or offset
    WRITTEN_OFF = "written_off"  # 已核销: claimed back, written off


class NormalSide(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class EntryKind(StrEnum):
    APPROPRIATION = "appropriation"  # 预算下达
    BUDGET_ADJUSTMENT = "budget_adjustment"  # 预算调整
    AWARD_COMMITTED = "award_committed"  # 奖补决定
    AWARD_RELEASED = "award_released"  # 奖补撤销/不予批准/剩余额度释放
    DISBURSEMENT_INSTRUCTED = "disbursement_instructed"  # 拨付指令
    DISBURSEMENT_CONFIRMED = "disbursement_confirmed"  # 拨付到账
    DISBURSEMENT_RELEASED = "disbursement_released"  # 拨付失败/取消
    RECOVERY_DETERMINED = "recovery_determined"  # 追回认定
    REPAYMENT = "repayment"  # 退回
    OFFSET = "offset"  # 抵扣
    WRITE_OFF = "write_off"  # 核销
    REVERSAL = "reversal"  # 冲正


class Account(Base):
    __tablename__ = "ledger_accounts"

    code: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind", 20))
    normal_side: Mapped[NormalSide] = mapped_column(str_enum(NormalSide, "normal_side", 10))
    fiscal_year: Mapped[int | None] = mapped_column(sa.Integer)
    award_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    debits_posted: Mapped[int] = mapped_column(BigInt, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInt, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("debits_posted >= 0 AND credits_posted >= 0", name="sums_not_negative"),
        sa.CheckConstraint(
            "(normal_side = 'debit' AND credits_posted <= debits_posted) OR "
            "(normal_side = 'credit' AND debits_posted <= credits_posted)",
            name="balance_not_negative",
        ),
    )

    @property
    def balance(self) -> int:
        """The balance on the account's normal side (never negative)."""
        if self.normal_side is NormalSide.DEBIT:
            return self.debits_posted - self.credits_posted
        return self.credits_posted - self.debits_posted


class JournalEntry(Base):
    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigInt, sa.Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind", 30))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    fiscal_year: Mapped[int | None] = mapped_column(sa.Integer)
    space_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    jurisdiction_code: Mapped[str | None] = mapped_column(sa.String(10))
    award_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    disbursement_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    document_no: Mapped[str | None] = mapped_column(sa.String(200))
    memo: Mapped[str] = mapped_column(sa.String(500))
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("ledger_entries.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    content_hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_references_original"
        ),
    )


class Transfer(Base):
    __tablename__ = "ledger_transfers"

    entry_seq: Mapped[int] = mapped_column(
        BigInt, sa.ForeignKey("ledger_entries.seq"), primary_key=True
    )
    line: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    debit_account: Mapped[str] = mapped_column(
        sa.String(80), sa.ForeignKey("ledger_accounts.code"), index=True
    )
    credit_account: Mapped[str] = mapped_column(
        sa.String(80), sa.ForeignKey("ledger_accounts.code"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInt)

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("debit_account <> credit_account", name="two_accounts"),
        sa.CheckConstraint("line >= 1", name="line_positive"),
    )


class ChainLink(Base):
    """The entry at ``position`` of the hash chain (positions follow commit order)."""

    __tablename__ = "ledger_chain"

    position: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    entry_seq: Mapped[int] = mapped_column(BigInt, sa.ForeignKey("ledger_entries.seq"), unique=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint("position >= 1", name="position_positive"),)
