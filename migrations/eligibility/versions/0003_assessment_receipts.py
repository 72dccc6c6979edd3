"""Assessment receipts (年度考核回执), append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
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


def upgrade() -> None:
    op.create_table(
        "assessment_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_role", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.String(length=64), nullable=False),
        sa.Column("scheme_hash", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "graded",
                "incomplete",
                name="assessment_verdict",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "grade",
            sa.Enum(
                "优秀",
                "良好",
                "合格",
                "不合格",
                name="assessment_grade",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=True,
        ),
        sa.Column("score_hundredths", sa.Integer(), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "score_hundredths IS NULL OR score_hundredths BETWEEN 0 AND 10000",
            name=op.f("ck_assessment_receipts_score_range"),
        ),
        sa.CheckConstraint(
            "(verdict = 'graded' AND grade IS NOT NULL AND score_hundredths IS NOT NULL) OR "
            "(verdict = 'incomplete' AND grade IS NULL AND score_hundredths IS NULL)",
            name=op.f("ck_assessment_receipts_graded_has_grade_and_score"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_receipts")),
    )
    op.create_index("ix_assessment_receipts_created", "assessment_receipts", ["created_at", "id"])
    op.create_index(
        "ix_assessment_receipts_space", "assessment_receipts", ["space_id", "year", "created_at"]
    )
    op.create_index(
        "ix_assessment_receipts_year",
        "assessment_receipts",
        ["year", "jurisdiction_code", "created_at"],
    )
    make_append_only_v1(op, "assessment_receipts")


def downgrade() -> None:
    drop_append_only_v1(op, "assessment_receipts")
    op.drop_index("ix_assessment_receipts_year", table_name="assessment_receipts")
    op.drop_index("ix_assessment_receipts_space", table_name="assessment_receipts")
    op.drop_index("ix_assessment_receipts_created", table_name="assessment_receipts")
    op.drop_table("assessment_receipts")
