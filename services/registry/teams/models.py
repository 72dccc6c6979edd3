"""The teams table (each team's current state) and team_events (every change, append-only).

A team is never deleted: graduating (毕业) or exiting (退出) is a dated event. The team row
carries the current status for counting (C3); ``team_events`` keeps the history and is
append-only in the database itself.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum


class TeamField(StrEnum):
    """The field a team works in; only the first two count towards C3."""

    HIGH_TECH = "high_tech"  # 高新技术领域
    MODERN_SERVICE = "modern_service"  # 现代服务业
    OTHER = "other"


class TeamStatus(StrEnum):
    IN_INCUBATION = "in_incubation"  # 在孵
    GRADUATED = "graduated"  # 毕业
    EXITED = "exited"  # 退出


class TeamEventKind(StrEnum):
    JOINED = "joined"  # 入孵
    GRADUATED = "graduated"  # 毕业
    EXITED = "exited"  # 退出


# The end of incubation is recorded exactly when the team has left; only a graduation names
# the enterprise it registered.
TEAM_END_RECORDED = (
    "(status = 'in_incubation' AND left_on IS NULL AND registered_enterprise_name IS NULL "
    "AND registered_enterprise_uscc IS NULL) OR "
    "(status = 'graduated' AND left_on IS NOT NULL AND registered_enterprise_name IS NOT NULL) OR "
    "(status = 'exited' AND left_on IS NOT NULL AND registered_enterprise_name IS NULL "
    "AND registered_enterprise_uscc IS NULL)"
)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str | None] = mapped_column(sa.String(18))
    field: Mapped[TeamField] = mapped_column(str_enum(TeamField, "team_field", 20))
    joined_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[TeamStatus] = mapped_column(str_enum(TeamStatus, "team_status", 20))
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    registered_enterprise_name: Mapped[str | None] = mapped_column(sa.String(200))
    registered_enterprise_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
        sa.CheckConstraint(TEAM_END_RECORDED, name="end_recorded"),
        sa.Index("ix_teams_space_id_created_at_id", "space_id", "created_at", "id"),
        # Covers the in-incubation and graduation counts (statistics, facts): index-only.
        sa.Index(
            "ix_teams_space_id_joined_on_left_on",
            "space_id",
            "joined_on",
            "left_on",
            "field",
            "status",
        ),
    )


class TeamEvent(Base):
    """One dated change of a team: joined, graduated or exited (append-only)."""

    __tablename__ = "team_events"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("teams.id"))
    kind: Mapped[TeamEventKind] = mapped_column(str_enum(TeamEventKind, "team_event_kind", 20))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    registered_enterprise_name: Mapped[str | None] = mapped_column(sa.String(200))
    registered_enterprise_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    # An exit's reason and the registry document of the space supporting it, if given.
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    document_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("documents.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        # One joining and at most one end per team, whatever the application does.
        sa.UniqueConstraint("team_id", "kind", name="uq_team_events_team_id_kind"),
        sa.CheckConstraint(
            "kind = 'exited' OR (reason IS NULL AND document_id IS NULL)",
            name="end_detail_on_exit",
        ),
    )


class TeamDayCount(Base):
    """Teams that joined, left and graduated on one day in one jurisdiction: the rollup the
    statistics read instead of counting every team (1,000,000 at national scale) per request.

    Written in the same transaction as each team's joining and end (``repository``), so it
    always agrees with ``teams``; ``tests/registry`` checks that it does. Each event counts in
    the jurisdiction that managed the space on the event's day. When the bureau moves a space
    to another jurisdiction, the teams in incubation at the start of the move's day leave the
    old jurisdiction (``moved_out_count``) and enter the new one (``moved_in_count``) on that
    day, so a day's teams in incubation in a jurisdiction are the sum up to that day of
    joined + moved in - left - moved out (``teams.rollup``).
    """

    __tablename__ = "team_day_counts"

    jurisdiction_code: Mapped[str] = mapped_column(
        sa.String(10), sa.ForeignKey("jurisdictions.code"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    joined_count: Mapped[int] = mapped_column(sa.Integer)
    left_count: Mapped[int] = mapped_column(sa.Integer)
    graduated_count: Mapped[int] = mapped_column(sa.Integer)
    # Server defaults: the rows written before moves existed, and the scale seed's, have none.
    moved_in_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    moved_out_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)

    __table_args__ = (
        sa.CheckConstraint(
            "joined_count >= 0 AND left_count >= 0 AND graduated_count >= 0",
            name="counts_nonnegative",
        ),
        sa.CheckConstraint("graduated_count <= left_count", name="graduated_within_left"),
        sa.CheckConstraint(
            "moved_in_count >= 0 AND moved_out_count >= 0", name="moves_nonnegative"
        ),
    )
