"""space_moves: each space's moves to another jurisdiction as the registry reported them
(append-only); who may see a space's money follows the latest.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "space_moves",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("move_no", sa.Integer(), nullable=False),
        sa.Column("from_code", sa.String(length=10), nullable=False),
        sa.Column("to_code", sa.String(length=10), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(length=200), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("move_no >= 1", name=op.f("ck_space_moves_move_no_positive")),
        sa.CheckConstraint("from_code <> to_code", name=op.f("ck_space_moves_moves_somewhere")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_space_moves")),
        sa.UniqueConstraint("space_id", "move_no", name="uq_space_moves_space_id_move_no"),
    )
    make_append_only_v1(op, "space_moves")


def downgrade() -> None:
    drop_append_only_v1(op, "space_moves")
    op.drop_table("space_moves")
