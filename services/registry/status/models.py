"""space_status_changes: every status a space has had, from the date each took effect.

Append-only in the database itself. The first record of every space (``seq`` 1, act
``registered``) puts it in ``applicant`` from its ``opened_on``; each later record is one of
the bureau's acts. The status in force on a date is the record with the highest ``seq`` among
those effective on or before it (acts are refused unless effective on or after the status
they replace began, so ``seq`` order and date order agree).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.events import RevocationReason
from shared.contracts.spaces import SpaceStatus
from shared.db import UTCDateTime, str_enum


class StatusAct(StrEnum):
    """What changed the status: registration, or one of the bureau's acts."""

    REGISTERED = "registered"  # 登记: the space enters the registry as an applicant
    RECOGNITION = "recognition"  # 认定: applicant -> recognised (市级众创空间)
    RECTIFICATION = "rectification"  # 限期整改: recognised -> under_rectification
    RECTIFICATION_END = "rectification_end"  # 整改完成: under_rectification -> recognised
    REVOCATION = "revocation"  # 取消认定: recognised / under_rectification -> revoked


# The record of each act carries what that act needs, and nothing another act needs.
ACT_RECORDED = (
    "(act = 'registered' AND seq = 1 AND status = 'applicant' AND document_no IS NULL) OR "
    "(act = 'recognition' AND seq > 1 AND status = 'recognised' AND document_no IS NOT NULL) OR "
    "(act = 'rectification' AND seq > 1 AND status = 'under_rectification' "
    "AND document_no IS NOT NULL AND rectification_deadline IS NOT NULL) OR "
    "(act = 'rectification_end' AND seq > 1 AND status = 'recognised' "
    "AND document_no IS NOT NULL) OR "
    "(act = 'revocation' AND seq > 1 AND status = 'revoked' AND document_no IS NOT NULL "
    "AND revocation_reason IS NOT NULL AND legal_basis IS NOT NULL)"
)


class SpaceStatusChange(Base):
    """One dated status of a space and the act that gave it (append-only)."""

    __tablename__ = "space_status_changes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    seq: Mapped[int] = mapped_column(sa.Integer)
    act: Mapped[StatusAct] = mapped_column(str_enum(StatusAct, "status_act", 20))
    status: Mapped[SpaceStatus] = mapped_column(str_enum(SpaceStatus, "space_status", 20))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    document_no: Mapped[str | None] = mapped_column(sa.String(200))
    rectification_deadline: Mapped[date | None] = mapped_column(sa.Date)
    revocation_reason: Mapped[RevocationReason | None] = mapped_column(
        str_enum(RevocationReason, "revocation_reason", 30)
    )
    legal_basis: Mapped[str | None] = mapped_column(sa.String(500))
    remarks: Mapped[str | None] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        # Two acts racing on one space cannot both become the next record.
        sa.UniqueConstraint("space_id", "seq", name="uq_space_status_changes_space_id_seq"),
        sa.CheckConstraint(ACT_RECORDED, name="act_recorded"),
        sa.CheckConstraint(
            "rectification_deadline IS NULL OR rectification_deadline >= effective_on",
            name="deadline_after_effective",
        ),
        sa.Index("ix_space_status_changes_space_id_effective_on", "space_id", "effective_on"),
    )


class StatusActGround(Base):
    """The annual assessment results a rectification or revocation rests on (append-only).

    A 不合格 result puts a recognised space under rectification (``assessment_id`` the failed
    result); a second consecutive one revokes the recognition (``assessment_id`` the result
    that did it, ``prior_assessment_id`` the adjacent year's failed result). A manual
    revocation for ``failed_assessments`` names both (the later year's as ``assessment_id``).
    """

    __tablename__ = "status_act_grounds"

    status_change_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_status_changes.id"), primary_key=True
    )
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    assessment_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_assessments.id"), index=True
    )
    prior_assessment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("space_assessments.id")
    )
    act: Mapped[StatusAct] = mapped_column(str_enum(StatusAct, "status_act", 20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint(
            "(act = 'rectification' AND prior_assessment_id IS NULL) OR "
            "(act = 'revocation' AND prior_assessment_id IS NOT NULL "
            "AND prior_assessment_id <> assessment_id)",
            name="ground_fits_act",
        ),
        sa.Index("ix_status_act_grounds_space_id", "space_id"),
    )
