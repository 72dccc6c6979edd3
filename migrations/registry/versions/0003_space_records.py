"""What a space reports: incubated teams with their append-only events, staff, activities,
and compliance records (incidents append-only; listings with a removal date set once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEAM_END_RECORDED = (
    "(status = 'in_incubation' AND left_on IS NULL AND registered_enterprise_name IS NULL "
    "AND registered_enterprise_uscc IS NULL) OR "
    "(status = 'graduated' AND left_on IS NOT NULL AND registered_enterprise_name IS NOT NULL) OR "
    "(status = 'exited' AND left_on IS NOT NULL AND registered_enterprise_name IS NULL "
    "AND registered_enterprise_uscc IS NULL)"
)
DEPARTURE_RECORDED = (
    "(ended_on IS NULL AND ended_recorded_at IS NULL AND ended_recorded_by IS NULL) OR "
    "(ended_on IS NOT NULL AND ended_recorded_at IS NOT NULL AND ended_recorded_by IS NOT NULL)"
)
REMOVAL_RECORDED = (
    "(removed_on IS NULL AND removed_recorded_at IS NULL AND removed_recorded_by IS NULL) OR "
    "(removed_on IS NOT NULL AND removed_recorded_at IS NOT NULL "
    "AND removed_recorded_by IS NOT NULL)"
)
MAX_ATTENDANCE = 100_000


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length, create_constraint=True)


def _space_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["space_id"], ["spaces.id"], name=op.f(f"fk_{table}_space_id_spaces")
    )


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column(
            "field", _enum("team_field", 20, "high_tech", "modern_service", "other"), nullable=False
        ),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _enum("team_status", 20, "in_incubation", "graduated", "exited"),
            nullable=False,
        ),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("registered_enterprise_name", sa.String(200), nullable=True),
        sa.Column("registered_enterprise_uscc", sa.String(18), nullable=True),
        *_created(),
        sa.CheckConstraint(
            "left_on IS NULL OR left_on >= joined_on", name=op.f("ck_teams_left_after_joined")
        ),
        sa.CheckConstraint(TEAM_END_RECORDED, name=op.f("ck_teams_end_recorded")),
        _space_fk("teams"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_index("ix_teams_space_id_created_at_id", "teams", ["space_id", "created_at", "id"])

    op.create_table(
        "team_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", _enum("team_event_kind", 20, "joined", "graduated", "exited"), nullable=False
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("registered_enterprise_name", sa.String(200), nullable=True),
        sa.Column("registered_enterprise_uscc", sa.String(18), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_events_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_events")),
        sa.UniqueConstraint("team_id", "kind", name="uq_team_events_team_id_kind"),
    )
    make_append_only_v1(op, "team_events")

    op.create_table(
        "staff_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("qualifications", sa.String(1000), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_recorded_at", UTCDateTime(), nullable=True),
        sa.Column("ended_recorded_by", sa.String(200), nullable=True),
        *_created(),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_staff_members_ended_after_start"),
        ),
        sa.CheckConstraint(DEPARTURE_RECORDED, name=op.f("ck_staff_members_departure_recorded")),
        _space_fk("staff_members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
    )
    op.create_index(
        "ix_staff_members_space_id_created_at_id",
        "staff_members",
        ["space_id", "created_at", "id"],
    )

    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "activity_kind",
                20,
                "training",
                "salon",
                "lecture",
                "camp",
                "roadshow",
                "mentoring",
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        *_created(),
        sa.CheckConstraint(
            f"attendance >= 0 AND attendance <= {MAX_ATTENDANCE}",
            name=op.f("ck_activities_attendance_range"),
        ),
        _space_fk("activities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(
        "ix_activities_space_id_held_on_id", "activities", ["space_id", "held_on", "id"]
    )

    op.create_table(
        "compliance_incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            _enum("incident_kind", 30, "safety", "quality", "environmental", "research_misconduct"),
            nullable=False,
        ),
        sa.Column(
            "severity",
            _enum("incident_severity", 20, "major", "serious", "ordinary"),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        *_created(),
        _space_fk("compliance_incidents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_incidents")),
    )
    op.create_index(
        "ix_compliance_incidents_space_id_created_at_id",
        "compliance_incidents",
        ["space_id", "created_at", "id"],
    )
    make_append_only_v1(op, "compliance_incidents")

    op.create_table(
        "compliance_listings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column(
            "list_kind",
            _enum("list_kind", 30, "abnormal_operation", "serious_violation"),
            nullable=False,
        ),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removed_recorded_at", UTCDateTime(), nullable=True),
        sa.Column("removed_recorded_by", sa.String(200), nullable=True),
        *_created(),
        sa.CheckConstraint(
            "removed_on IS NULL OR removed_on >= listed_on",
            name=op.f("ck_compliance_listings_removed_after_listed"),
        ),
        sa.CheckConstraint(REMOVAL_RECORDED, name=op.f("ck_compliance_listings_removal_recorded")),
        _space_fk("compliance_listings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_listings")),
    )
    op.create_index(
        "ix_compliance_listings_space_id_created_at_id",
        "compliance_listings",
        ["space_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_compliance_listings_space_id_created_at_id", table_name="compliance_listings")
    op.drop_table("compliance_listings")
    drop_append_only_v1(op, "compliance_incidents")
    op.drop_index(
        "ix_compliance_incidents_space_id_created_at_id", table_name="compliance_incidents"
    )
    op.drop_table("compliance_incidents")
    op.drop_index("ix_activities_space_id_held_on_id", table_name="activities")
    op.drop_table("activities")
    op.drop_index("ix_staff_members_space_id_created_at_id", table_name="staff_members")
    op.drop_table("staff_members")
    drop_append_only_v1(op, "team_events")
    op.drop_table("team_events")
    op.drop_index("ix_teams_space_id_created_at_id", table_name="teams")
    op.drop_table("teams")
