"""Platform tables: the audit log and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from shared.platform_schema import create_platform_schema_v1, drop_platform_schema_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_platform_schema_v1(op)


def downgrade() -> None:
    drop_platform_schema_v1(op)
