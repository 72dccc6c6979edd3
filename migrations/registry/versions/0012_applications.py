"""The recognition procedure: applications, their append-only steps and expert assignments,
publicity notices, objections and their resolutions, and recognition batches with plaque
numbers unique per year.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Records of the procedure: never updated nor deleted, in the database itself.
APPEND_ONLY = (
    "application_steps",
    "application_experts",
    "application_objections",
    "application_objection_resolutions",
    "recognition_batches",
)


def upgrade() -> None:
    op.create_table(
        "publicity_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("notice_no", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("opened_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "closed_on IS NULL OR closed_on > starts_on",
            name=op.f("ck_publicity_notices_closed_after_start"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity_notices")),
        sa.UniqueConstraint("notice_no", name=op.f("uq_publicity_notices_notice_no")),
    )
    op.create_table(
        "recognition_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_no", sa.String(length=200), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_batches")),
        sa.UniqueConstraint("document_no", name=op.f("uq_recognition_batches_document_no")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "recommended",
                "accepted",
                "under_review",
                "approved",
                "in_publicity",
                "publicised",
                "recognised",
                "rejected",
                "withdrawn",
                name="application_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("application_date", sa.Date(), nullable=True),
        sa.Column("receipt_id", sa.Uuid(), nullable=True),
        sa.Column("ruleset_id", sa.String(length=100), nullable=True),
        sa.Column("ruleset_hash", sa.String(length=100), nullable=True),
        sa.Column("verdict", sa.String(length=30), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=True),
        sa.Column("needs_review", sa.JSON(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("minutes_no", sa.String(length=200), nullable=True),
        sa.Column("publicity_id", sa.Uuid(), nullable=True),
        sa.Column("recognition_batch_id", sa.Uuid(), nullable=True),
        sa.Column("plaque_year", sa.Integer(), nullable=True),
        sa.Column("plaque_seq", sa.Integer(), nullable=True),
        sa.Column("plaque_no", sa.String(length=50), nullable=True),
        sa.CheckConstraint(
            "(state = 'recognised') = (plaque_no IS NOT NULL)",
            name=op.f("ck_applications_plaque_when_recognised"),
        ),
        sa.ForeignKeyConstraint(
            ["publicity_id"],
            ["publicity_notices.id"],
            name=op.f("fk_applications_publicity_id_publicity_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["recognition_batch_id"],
            ["recognition_batches.id"],
            name=op.f("fk_applications_recognition_batch_id_recognition_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_applications_space_id_spaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("plaque_no", name="uq_applications_plaque_no"),
        sa.UniqueConstraint("plaque_year", "plaque_seq", name="uq_applications_plaque_year_seq"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index("ix_applications_created_at", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_applications_state_created_at", ["state", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "uq_applications_open_space",
            ["space_id"],
            unique=True,
            sqlite_where=sa.text("state NOT IN ('recognised', 'rejected', 'withdrawn')"),
            postgresql_where=sa.text("state NOT IN ('recognised', 'rejected', 'withdrawn')"),
        )

    op.create_table(
        "application_experts",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("expert_subject", sa.String(length=200), nullable=False),
        sa.Column("assigned_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_experts_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "round", "expert_subject", name=op.f("pk_application_experts")
        ),
    )
    with op.batch_alter_table("application_experts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_experts_expert_subject", ["expert_subject"], unique=False
        )

    op.create_table(
        "application_objections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("publicity_id", sa.Uuid(), nullable=False),
        sa.Column("raised_by", sa.String(length=200), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("content", sa.String(length=4000), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_objections_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["publicity_id"],
            ["publicity_notices.id"],
            name=op.f("fk_application_objections_publicity_id_publicity_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_objections")),
    )
    with op.batch_alter_table("application_objections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_objections_application_id", ["application_id"], unique=False
        )

    op.create_table(
        "application_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "submit",
                "recommend",
                "return",
                "reject",
                "accept",
                "refuse",
                "assign_experts",
                "expert_review",
                "joint_opinion",
                "re_evaluation",
                "decision",
                "withdraw",
                "publicity",
                "objection",
                "objection_resolution",
                "publicity_close",
                "recognition",
                name="application_action",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "draft",
                "submitted",
                "recommended",
                "accepted",
                "under_review",
                "approved",
                "in_publicity",
                "publicised",
                "recognised",
                "rejected",
                "withdrawn",
                name="application_step_from_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "draft",
                "submitted",
                "recommended",
                "accepted",
                "under_review",
                "approved",
                "in_publicity",
                "publicised",
                "recognised",
                "rejected",
                "withdrawn",
                name="application_step_to_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=30), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("opinion", sa.String(length=4000), nullable=True),
        sa.Column("document_no", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_steps_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_steps")),
        sa.UniqueConstraint("application_id", "seq", name="uq_application_steps_application_seq"),
    )
    op.create_table(
        "application_objection_resolutions",
        sa.Column("objection_id", sa.Uuid(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld",
                "dismissed",
                name="objection_outcome",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=4000), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["application_objections.id"],
            name=op.f("fk_application_objection_resolutions_objection_id_application_objections"),
        ),
        sa.PrimaryKeyConstraint("objection_id", name=op.f("pk_application_objection_resolutions")),
    )
    for table in APPEND_ONLY:
        make_append_only_v1(op, table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only_v1(op, table)
    op.drop_table("application_objection_resolutions")
    op.drop_table("application_steps")
    with op.batch_alter_table("application_objections", schema=None) as batch_op:
        batch_op.drop_index("ix_application_objections_application_id")

    op.drop_table("application_objections")
    with op.batch_alter_table("application_experts", schema=None) as batch_op:
        batch_op.drop_index("ix_application_experts_expert_subject")

    op.drop_table("application_experts")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_applications_open_space",
            sqlite_where=sa.text("state NOT IN ('recognised', 'rejected', 'withdrawn')"),
            postgresql_where=sa.text("state NOT IN ('recognised', 'rejected', 'withdrawn')"),
        )
        batch_op.drop_index("ix_applications_state_created_at")
        batch_op.drop_index("ix_applications_created_at")

    op.drop_table("applications")
    op.drop_table("recognition_batches")
    op.drop_table("publicity_notices")
