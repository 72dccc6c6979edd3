"""status_act_grounds: the annual assessment results a rectification or revocation rests on
(append-only); space_assessments keep the eligibility service's score receipt of a result.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_act_grounds",
        sa.Column("status_change_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("prior_assessment_id", sa.Uuid(), nullable=True),
        sa.Column(
            "act",
            sa.Enum(
                "registered",
                "recognition",
                "rectification",
                "rectification_end",
                "revocation",
                name="status_act",
                native_enum=False,
                length=20,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(act = 'rectification' AND prior_assessment_id IS NULL) OR "
            "(act = 'revocation' AND prior_assessment_id IS NOT NULL "
            "AND prior_assessment_id <> assessment_id)",
            name=op.f("ck_status_act_grounds_ground_fits_act"),
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["space_status_changes.id"],
            name=op.f("fk_status_act_grounds_status_change_id_space_status_changes"),
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_status_act_grounds_space_id_spaces")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["space_assessments.id"],
            name=op.f("fk_status_act_grounds_assessment_id_space_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["prior_assessment_id"],
            ["space_assessments.id"],
            name=op.f("fk_status_act_grounds_prior_assessment_id_space_assessments"),
        ),
        sa.PrimaryKeyConstraint("status_change_id", name=op.f("pk_status_act_grounds")),
    )
    op.create_index(
        op.f("ix_status_act_grounds_assessment_id"), "status_act_grounds", ["assessment_id"]
    )
    op.create_index("ix_status_act_grounds_space_id", "status_act_grounds", ["space_id"])
    make_append_only_v1(op, "status_act_grounds")
    # A plain ADD COLUMN: the append-only table is not rebuilt, so its triggers stay.
    op.add_column("space_assessments", sa.Column("score_receipt_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("space_assessments", "score_receipt_id")
    drop_append_only_v1(op, "status_act_grounds")
    op.drop_index("ix_status_act_grounds_space_id", table_name="status_act_grounds")
    op.drop_index(op.f("ix_status_act_grounds_assessment_id"), table_name="status_act_grounds")
    op.drop_table("status_act_grounds")
