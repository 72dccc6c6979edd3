"""The activities table: one row per activity held, with its date and attendance."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum

# 人次 at one activity; a bound against typing errors (a large roadshow draws a few thousand).
MAX_ATTENDANCE = 100_000


class ActivityKind(StrEnum):
    TRAINING = "training"  # 培训
    SALON = "salon"  # 创业沙龙
    LECTURE = "lecture"  # 大讲堂/讲座
    CAMP = "camp"  # 训练营
    ROADSHOW = "roadshow"  # 路演
    MENTORING = "mentoring"  # 创业辅导


class Activity(Base):
    __tablename__ = "activities"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "activity_kind", 20))
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date] = mapped_column(sa.Date)
    attendance: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint(
            f"attendance >= 0 AND attendance <= {MAX_ATTENDANCE}", name="attendance_range"
        ),
        sa.Index("ix_activities_space_id_held_on_id", "space_id", "held_on", "id"),
        # A year's activities across spaces (statistics), counted from the index alone.
        sa.Index("ix_activities_held_on_space_id", "held_on", "space_id", "kind", "attendance"),
    )
