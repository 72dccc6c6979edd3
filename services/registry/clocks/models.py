"""Time limits of the procedure's steps, the clocks that run them, and what happened to them.

procedure_time_limits is versioned and append-only (the bureau's changes add versions); a
clock copies the limit in force when it starts. procedure_clocks holds each clock's state and
current due date; every recomputation of a due date by a calendar correction is appended to
procedure_clock_history, and each suspension (the days that do not count) is a row of
procedure_clock_suspensions whose end is written once, when the clock resumes.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum


class ProcedureStep(StrEnum):
    """A step of the recognition procedure (认定程序) that may carry a time limit."""

    PRELIMINARY_REVIEW = "preliminary_review"  # 初审
    ACCEPTANCE = "acceptance"  # 受理
    CORRECTION = "correction"  # 补正
    JOINT_REVIEW = "joint_review"  # 复审
    DECISION = "decision"  # 审定
    PUBLICITY = "publicity"  # 公示


class LimitKind(StrEnum):
    STATUTORY = "statutory"  # set by law or by the Measures (法定期限)
    INTERNAL = "internal"  # the bureau's own working limit (内部时限)


class ClockState(StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"  # 中止计时: e.g. expert review and on-site inspection
    STOPPED = "stopped"


OPEN_CLOCK = "state <> 'stopped'"


class ProcedureTimeLimit(Base):
    """Version ``version`` of a step's time limit (append-only)."""

    __tablename__ = "procedure_time_limits"

    step: Mapped[ProcedureStep] = mapped_column(
        str_enum(ProcedureStep, "procedure_step", 30), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    kind: Mapped[LimitKind] = mapped_column(str_enum(LimitKind, "time_limit_kind", 20))
    basis: Mapped[str] = mapped_column(sa.String(1000))
    length_wd: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("length_wd BETWEEN 1 AND 250", name="length_in_range"),
    )


class ProcedureClock(Base):
    """A step's clock for one subject (an application): when it started and when it is due."""

    __tablename__ = "procedure_clocks"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    subject_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    step: Mapped[ProcedureStep] = mapped_column(str_enum(ProcedureStep, "procedure_step", 30))
    kind: Mapped[LimitKind] = mapped_column(str_enum(LimitKind, "time_limit_kind", 20))
    basis: Mapped[str] = mapped_column(sa.String(1000))
    length_wd: Mapped[int] = mapped_column(sa.Integer)
    # The time limit's version the clock copied; None where the caller gave the length.
    time_limit_version: Mapped[int | None] = mapped_column(sa.Integer)
    started_on: Mapped[date] = mapped_column(sa.Date)
    # The last working day of the period; None while suspended (the end is not known) or while
    # the period reaches a year whose calendar is not loaded (``awaiting_year``).
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    awaiting_year: Mapped[int | None] = mapped_column(sa.Integer)
    # JSON object year -> calendar version used for due_on, e.g. {"2026": 1}.
    calendar_versions: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[ClockState] = mapped_column(str_enum(ClockState, "clock_state", 20))
    stopped_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("length_wd BETWEEN 1 AND 250", name="length_in_range"),
        sa.CheckConstraint(
            "(state = 'suspended' OR awaiting_year IS NOT NULL) = (due_on IS NULL)",
            name="due_unless_suspended",
        ),
        sa.CheckConstraint("(state = 'stopped') = (stopped_on IS NOT NULL)", name="stopped_on_set"),
        sa.Index("ix_procedure_clocks_subject_id", "subject_id"),
        # One open clock per step of a subject; a step run again (after 补正) gets a new one.
        sa.Index(
            "uq_procedure_clocks_open_step",
            "subject_id",
            "step",
            unique=True,
            postgresql_where=sa.text(OPEN_CLOCK),
            sqlite_where=sa.text(OPEN_CLOCK),
        ),
        sa.Index("ix_procedure_clocks_state_due_on", "state", "due_on"),
    )


class ProcedureClockSuspension(Base):
    """Days that do not count (《行政许可法》 art. 45): from ``suspended_on`` to the day before
    ``resumed_on`` (written once, when the clock resumes)."""

    __tablename__ = "procedure_clock_suspensions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    clock_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("procedure_clocks.id"))
    suspended_on: Mapped[date] = mapped_column(sa.Date)
    resumed_on: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint(
            "resumed_on IS NULL OR resumed_on >= suspended_on", name="resumes_after_it_stops"
        ),
        sa.Index("ix_procedure_clock_suspensions_clock_id", "clock_id"),
    )


class ProcedureClockHistory(Base):
    """A recomputation of a clock's due date by a correction of the calendar (append-only)."""

    __tablename__ = "procedure_clock_history"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    clock_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("procedure_clocks.id"))
    cause: Mapped[str] = mapped_column(sa.String(50))
    calendar_year: Mapped[int] = mapped_column(sa.Integer)
    calendar_version: Mapped[int] = mapped_column(sa.Integer)
    # None where the due date was not known (the period awaited a year's calendar).
    old_due_on: Mapped[date | None] = mapped_column(sa.Date)
    new_due_on: Mapped[date | None] = mapped_column(sa.Date)
    old_calendar_versions: Mapped[str] = mapped_column(sa.String(200))
    new_calendar_versions: Mapped[str] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (sa.Index("ix_procedure_clock_history_clock_id", "clock_id"),)
