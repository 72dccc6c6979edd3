"""Awards, the worklist of awards the policy proposes when the registry reports an event, and
the awards officers request (a district's 奖补申请), which reserve nothing until decided.

An award's facts (space, kind, amount, decision) never change. Its status moves forward only,
and each move records who made it and when in columns that are set once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.subsidy.db import Base
from services.subsidy.ledger.models import BigInt
from shared.contracts.spaces import SpaceForm
from shared.db import UTCDateTime, str_enum


class AwardKind(StrEnum):
    RECOGNITION = "recognition"  # 新认定市级众创空间奖励
    NATIONAL_FILING = "national_filing"  # 国家级备案奖励
    EXCELLENT_ASSESSMENT = "excellent_assessment"  # 年度考核优秀奖励
    OPERATING_SUBSIDY = "operating_subsidy"  # 运营补贴


class AwardStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"  # 待复核: decided, budget reserved, nothing payable
    APPROVED = "approved"  # 已复核: payable in tranches
    DECLINED = "declined"  # 不予批准: the reservation went back to the budget
    CANCELLED = "cancelled"  # 已撤销: what was not paid went back to the budget


class ProposalStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class RequestStatus(StrEnum):
    OPEN = "open"  # 待决定: reserves nothing
    DECIDED = "decided"  # 已决定: the bureau or finance decided the award (award_id)
    DECLINED = "declined"  # 不予奖补


ACTIVE_AWARD = "status IN ('pending_approval', 'approved')"
OPEN_REQUEST = "status = 'open'"


class Award(Base):
    __tablename__ = "awards"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    space_name: Mapped[str] = mapped_column(sa.String(200))
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10), index=True)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    space_form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    kind: Mapped[AwardKind] = mapped_column(str_enum(AwardKind, "award_kind", 30))
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(BigInt)
    policy_id: Mapped[str] = mapped_column(sa.String(60))
    # The hash of the policy file the amount was decided under; null for an award decided
    # before the hash was recorded (the file may have changed since, so it is not guessed).
    policy_content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    decision_document_no: Mapped[str] = mapped_column(sa.String(200))
    decided_on: Mapped[date] = mapped_column(sa.Date)
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("award_proposals.id"), unique=True
    )
    status: Mapped[AwardStatus] = mapped_column(str_enum(AwardStatus, "award_status", 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(sa.String(200))
    close_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "policy_content_hash IS NULL OR length(policy_content_hash) = 64",
            name="policy_content_hash_sha256",
        ),
        sa.CheckConstraint("approved_by IS NULL OR approved_by <> created_by", name="four_eyes"),
        sa.CheckConstraint(
            "(status = 'pending_approval' AND approved_at IS NULL AND closed_at IS NULL) OR "
            "(status = 'approved' AND approved_at IS NOT NULL AND closed_at IS NULL) OR "
            "(status = 'declined' AND approved_at IS NULL AND closed_at IS NOT NULL) OR "
            "(status = 'cancelled' AND closed_at IS NOT NULL)",
            name="status_recorded",
        ),
        # One live award of a kind per space and year; a declined or cancelled one may be redone.
        sa.Index(
            "uq_awards_active_space_kind_year",
            "space_id",
            "kind",
            "fiscal_year",
            unique=True,
            postgresql_where=sa.text(ACTIVE_AWARD),
            sqlite_where=sa.text(ACTIVE_AWARD),
        ),
        sa.Index("ix_awards_created_at_id", "created_at", "id"),
    )


class AwardProposal(Base):
    __tablename__ = "award_proposals"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    event_document_no: Mapped[str] = mapped_column(sa.String(200))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10), index=True)
    space_form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    kind: Mapped[AwardKind] = mapped_column(str_enum(AwardKind, "award_kind", 30))
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(BigInt)
    policy_id: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, "proposal_status", 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(status = 'open' AND decided_at IS NULL) OR "
            "(status = 'confirmed' AND decided_at IS NOT NULL AND decline_reason IS NULL) OR "
            "(status = 'declined' AND decided_at IS NOT NULL AND decline_reason IS NOT NULL)",
            name="status_recorded",
        ),
        sa.UniqueConstraint("event_id", "kind", name="uq_award_proposals_event_kind"),
        sa.Index("ix_award_proposals_created_at_id", "created_at", "id"),
    )


class AwardRequest(Base):
    """An award asked for by an officer, chiefly a district for a space of its own (奖补申请).
    The Measures give awards to the bureau: a request holds no budget; the bureau or finance
    decides it (then the award reserves the budget) or declines it."""

    __tablename__ = "award_requests"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    space_name: Mapped[str] = mapped_column(sa.String(200))
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10), index=True)
    space_form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    kind: Mapped[AwardKind] = mapped_column(str_enum(AwardKind, "award_kind", 30))
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(BigInt)
    policy_id: Mapped[str] = mapped_column(sa.String(60))
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus, "request_status", 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    award_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("awards.id"), unique=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(status = 'open' AND decided_at IS NULL AND award_id IS NULL) OR "
            "(status = 'decided' AND decided_at IS NOT NULL AND award_id IS NOT NULL "
            "AND decline_reason IS NULL) OR "
            "(status = 'declined' AND decided_at IS NOT NULL AND award_id IS NULL "
            "AND decline_reason IS NOT NULL)",
            name="status_recorded",
        ),
        # One open request of a kind per space and year; a declined one may be asked again.
        sa.Index(
            "uq_award_requests_open_space_kind_year",
            "space_id",
            "kind",
            "fiscal_year",
            unique=True,
            postgresql_where=sa.text(OPEN_REQUEST),
            sqlite_where=sa.text(OPEN_REQUEST),
        ),
        sa.Index("ix_award_requests_created_at_id", "created_at", "id"),
    )
