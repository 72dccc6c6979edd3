"""Awards record the content hash of the policy they were decided under; awards requested by a
district (奖补申请) are kept apart from awards decided, and reserve nothing.

Awards decided before this revision keep a null hash: their policy id is known, but the file
may have changed since, so which version applied is not guessed. The column is added in place
(ALTER TABLE ... ADD COLUMN with its CHECK, on both databases): SQLite could not copy the
awards table while its payments refer to it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_REQUEST = "status = 'open'"


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE awards ADD COLUMN policy_content_hash VARCHAR(64) "
        "CONSTRAINT ck_awards_policy_content_hash_sha256 "
        "CHECK (policy_content_hash IS NULL OR length(policy_content_hash) = 64)"
    )
    op.create_table(
        "award_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("space_name", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=False),
        sa.Column(
            "space_form",
            _enum("space_form", 20, "comprehensive", "specialised", "virtual"),
            nullable=False,
        ),
        sa.Column(
            "kind",
            _enum(
                "award_kind",
                30,
                "recognition",
                "national_filing",
                "excellent_assessment",
                "operating_subsidy",
            ),
            nullable=False,
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("policy_id", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "status", _enum("request_status", 20, "open", "decided", "declined"), nullable=False
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("award_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_award_requests_amount_positive")),
        sa.CheckConstraint(
            "(status = 'open' AND decided_at IS NULL AND award_id IS NULL) OR "
            "(status = 'decided' AND decided_at IS NOT NULL AND award_id IS NOT NULL "
            "AND decline_reason IS NULL) OR "
            "(status = 'declined' AND decided_at IS NOT NULL AND award_id IS NULL "
            "AND decline_reason IS NOT NULL)",
            name=op.f("ck_award_requests_status_recorded"),
        ),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_award_requests_award_id_awards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_requests")),
        sa.UniqueConstraint("award_id", name=op.f("uq_award_requests_award_id")),
    )
    with op.batch_alter_table("award_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_award_requests_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_award_requests_space_id"), ["space_id"], unique=False)
        batch_op.create_index("ix_award_requests_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "uq_award_requests_open_space_kind_year",
            ["space_id", "kind", "fiscal_year"],
            unique=True,
            postgresql_where=sa.text(OPEN_REQUEST),
            sqlite_where=sa.text(OPEN_REQUEST),
        )


def downgrade() -> None:
    with op.batch_alter_table("award_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_award_requests_open_space_kind_year",
            postgresql_where=sa.text(OPEN_REQUEST),
            sqlite_where=sa.text(OPEN_REQUEST),
        )
        batch_op.drop_index("ix_award_requests_created_at_id")
        batch_op.drop_index(batch_op.f("ix_award_requests_space_id"))
        batch_op.drop_index(batch_op.f("ix_award_requests_jurisdiction_code"))
    op.drop_table("award_requests")
    # In place again: the CHECK belongs to the column and goes with it (SQLite 3.35+ too).
    op.execute("ALTER TABLE awards DROP COLUMN policy_content_hash")
