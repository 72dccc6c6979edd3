"""Decision receipts, append-only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_role", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=True),
        sa.Column("application_date", sa.Date(), nullable=False),
        sa.Column("ruleset_id", sa.String(length=64), nullable=False),
        sa.Column("ruleset_hash", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "eligible",
                "not_eligible",
                "needs_review",
                "incomplete",
                name="overall_verdict",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_receipts")),
    )
    op.create_index("ix_decision_receipts_created", "decision_receipts", ["created_at", "id"])
    op.create_index("ix_decision_receipts_space", "decision_receipts", ["space_id", "created_at"])
    make_append_only_v1(op, "decision_receipts")


def downgrade() -> None:
    drop_append_only_v1(op, "decision_receipts")
    op.drop_index("ix_decision_receipts_space", table_name="decision_receipts")
    op.drop_index("ix_decision_receipts_created", table_name="decision_receipts")
    op.drop_table("decision_receipts")
