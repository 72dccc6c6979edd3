"""Applications for recognition (认定申报) and the append-only records of their procedure.

An application's row carries its current state and what later steps need (the submission's
evaluation, the decision, publicity, the plaque); every move of the state writes a row of
``application_steps``, which is append-only in the database itself, as are expert
assignments, objections and their resolutions, and recognition batches. A return for
correction (补正) starts a new ``round``: records of earlier rounds are kept and shown as
superseded.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum


class ApplicationState(StrEnum):
    """Where an application stands in the procedure."""

    DRAFT = "draft"  # 草稿 / 退回补正: the district prepares it
    SUBMITTED = "submitted"  # 已申报, 待初审
    RECOMMENDED = "recommended"  # 初审推荐, 待受理
    ACCEPTED = "accepted"  # 已受理, 待组织复审
    UNDER_REVIEW = "under_review"  # 复审 (专家现场考察、联合评审)
    APPROVED = "approved"  # 局务会审定通过, 待公示
    IN_PUBLICITY = "in_publicity"  # 公示中
    PUBLICISED = "publicised"  # 公示期满, 待认定
    RECOGNISED = "recognised"  # 已认定 (final)
    REJECTED = "rejected"  # 未通过 (final)
    WITHDRAWN = "withdrawn"  # 已撤回 (final)


# States after which nothing more happens; any other state is an open application.
FINAL_STATES = frozenset(
    {ApplicationState.RECOGNISED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN}
)
OPEN_STATES_SQL = "state NOT IN ('recognised', 'rejected', 'withdrawn')"


class ApplicationAction(StrEnum):
    """What a step of the procedure did."""

    CREATE = "create"  # 起草
    SUBMIT = "submit"  # 申报
    RECOMMEND = "recommend"  # 初审推荐
    RETURN = "return"  # 退回补正
    REJECT = "reject"  # 初审不予推荐
    ACCEPT = "accept"  # 受理
    REFUSE = "refuse"  # 不予受理
    ASSIGN_EXPERTS = "assign_experts"  # 组织专家
    EXPERT_REVIEW = "expert_review"  # 专家现场考察与评审意见
    JOINT_OPINION = "joint_opinion"  # 联合评审意见
    RE_EVALUATION = "re_evaluation"  # 按现时事实重新判定
    DECISION = "decision"  # 局务会审定
    WITHDRAW = "withdraw"  # 撤回
    PUBLICITY = "publicity"  # 公示
    OBJECTION = "objection"  # 异议
    OBJECTION_RESOLUTION = "objection_resolution"  # 异议处理
    PUBLICITY_CLOSE = "publicity_close"  # 公示结束
    RECOGNITION = "recognition"  # 认定


class ObjectionOutcome(StrEnum):
    UPHELD = "upheld"  # 异议成立: the application is rejected
    DISMISSED = "dismissed"  # 异议不成立: it goes on


class Application(Base):
    """One attempt of one space at recognition (认定申报)."""

    __tablename__ = "applications"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    state: Mapped[ApplicationState] = mapped_column(
        str_enum(ApplicationState, "application_state", 20)
    )
    round: Mapped[int] = mapped_column(sa.Integer)
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    # 申报日 and the submission's evaluation (of the latest submission).
    application_date: Mapped[date | None] = mapped_column(sa.Date)
    receipt_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    ruleset_id: Mapped[str | None] = mapped_column(sa.String(100))
    ruleset_hash: Mapped[str | None] = mapped_column(sa.String(100))
    verdict: Mapped[str | None] = mapped_column(sa.String(30))
    conditions: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    needs_review: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # 审定
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    minutes_no: Mapped[str | None] = mapped_column(sa.String(200))
    # 公示 and 认定
    publicity_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("publicity_notices.id")
    )
    recognition_batch_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("recognition_batches.id")
    )
    plaque_year: Mapped[int | None] = mapped_column(sa.Integer)
    plaque_seq: Mapped[int | None] = mapped_column(sa.Integer)
    plaque_no: Mapped[str | None] = mapped_column(sa.String(50))

    __table_args__ = (
        # At most one open application per space.
        sa.Index(
            "uq_applications_open_space",
            "space_id",
            unique=True,
            sqlite_where=sa.text(OPEN_STATES_SQL),
            postgresql_where=sa.text(OPEN_STATES_SQL),
        ),
        sa.UniqueConstraint("plaque_no", name="uq_applications_plaque_no"),
        sa.UniqueConstraint("plaque_year", "plaque_seq", name="uq_applications_plaque_year_seq"),
        sa.CheckConstraint(
            "(state = 'recognised') = (plaque_no IS NOT NULL)", name="plaque_when_recognised"
        ),
        sa.Index("ix_applications_state_created_at", "state", "created_at", "id"),
        sa.Index("ix_applications_created_at", "created_at", "id"),
    )


class ApplicationStep(Base):
    """One step of an application's procedure: who, when, what, and why (append-only)."""

    __tablename__ = "application_steps"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(sa.Integer)
    round: Mapped[int] = mapped_column(sa.Integer)
    action: Mapped[ApplicationAction] = mapped_column(
        str_enum(ApplicationAction, "application_action", 30)
    )
    from_state: Mapped[ApplicationState | None] = mapped_column(
        str_enum(ApplicationState, "application_step_from_state", 20)
    )
    to_state: Mapped[ApplicationState] = mapped_column(
        str_enum(ApplicationState, "application_step_to_state", 20)
    )
    actor_subject: Mapped[str] = mapped_column(sa.String(200))
    actor_role: Mapped[str] = mapped_column(sa.String(30))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    effective_on: Mapped[date] = mapped_column(sa.Date)
    opinion: Mapped[str | None] = mapped_column(sa.String(4000))
    document_no: Mapped[str | None] = mapped_column(sa.String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    __table_args__ = (
        sa.UniqueConstraint("application_id", "seq", name="uq_application_steps_application_seq"),
    )


class ApplicationExpert(Base):
    """An expert assigned to an application's review in one round (append-only)."""

    __tablename__ = "application_experts"

    application_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("applications.id"), primary_key=True
    )
    round: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    expert_subject: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (sa.Index("ix_application_experts_expert_subject", "expert_subject"),)


class PublicityNotice(Base):
    """公示: one notice listing a batch of approved applications for 5 working days.

    Its period is a clock of the legal clocks (subject: the notice's id), whose due date is the
    last day: a correction of the calendar moves it while it has not ended."""

    __tablename__ = "publicity_notices"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    notice_no: Mapped[str] = mapped_column(sa.String(200), unique=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    working_days: Mapped[int] = mapped_column(sa.Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(sa.String(200))
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("closed_on IS NULL OR closed_on > starts_on", name="closed_after_start"),
    )


class Objection(Base):
    """异议 lodged during publicity against one application, by the bureau for whoever raised
    it (append-only; its resolution is a record of its own)."""

    __tablename__ = "application_objections"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("applications.id"))
    publicity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("publicity_notices.id"))
    raised_by: Mapped[str] = mapped_column(sa.String(200))
    raised_on: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[str] = mapped_column(sa.String(4000))
    document_ids: Mapped[list[str]] = mapped_column(sa.JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (sa.Index("ix_application_objections_application_id", "application_id"),)


class ObjectionResolution(Base):
    """How an objection was resolved (append-only; one per objection)."""

    __tablename__ = "application_objection_resolutions"

    objection_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("application_objections.id"), primary_key=True
    )
    outcome: Mapped[ObjectionOutcome] = mapped_column(
        str_enum(ObjectionOutcome, "objection_outcome", 20)
    )
    reason: Mapped[str] = mapped_column(sa.String(4000))
    resolved_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))


class RecognitionBatch(Base):
    """认定: one announcement recognising a batch of applications (append-only)."""

    __tablename__ = "recognition_batches"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    document_no: Mapped[str] = mapped_column(sa.String(200), unique=True)
    announced_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))


APPEND_ONLY_TABLES = (
    "application_steps",
    "application_experts",
    "application_objections",
    "application_objection_resolutions",
    "recognition_batches",
)
