"""Awards record the content hash of the policy they were decided under.

Awards decided before this revision keep a null hash: their policy id is known, but the file
may have changed since, so which version applied is not guessed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _defer_foreign_keys_on_sqlite() -> None:
    """SQLite alters a table by copying it and dropping the original; other tables' foreign
    keys to it are checked at commit, when the copy bears the name again."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def upgrade() -> None:
    _defer_foreign_keys_on_sqlite()
    with op.batch_alter_table("awards") as batch:
        batch.add_column(sa.Column("policy_content_hash", sa.String(64), nullable=True))
        batch.create_check_constraint(
            op.f("ck_awards_policy_content_hash_sha256"),
            "policy_content_hash IS NULL OR length(policy_content_hash) = 64",
        )


def downgrade() -> None:
    _defer_foreign_keys_on_sqlite()
    with op.batch_alter_table("awards") as batch:
        batch.drop_constraint("ck_awards_policy_content_hash_sha256", type_="check")
        batch.drop_column("policy_content_hash")
