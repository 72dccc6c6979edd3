"""Indexes for reads at national scale (10,000 spaces, 1,000,000 teams): a district's space
list in key order, teams counted from the index alone (statistics, facts), and a year's
activities found by date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Replaces the single-column index: a district's list pages by (created_at, id) within it.
    op.drop_index("ix_spaces_jurisdiction_code", table_name="spaces")
    op.create_index(
        "ix_spaces_jurisdiction_code_created_at_id",
        "spaces",
        ["jurisdiction_code", "created_at", "id"],
    )
    # Every column the in-incubation and graduation counts read, so they never visit the table.
    op.create_index(
        "ix_teams_space_id_joined_on_left_on",
        "teams",
        ["space_id", "joined_on", "left_on", "field", "status"],
    )
    op.create_index(
        "ix_activities_held_on_space_id",
        "activities",
        ["held_on", "space_id", "kind", "attendance"],
    )


def downgrade() -> None:
    op.drop_index("ix_activities_held_on_space_id", table_name="activities")
    op.drop_index("ix_teams_space_id_joined_on_left_on", table_name="teams")
    op.drop_index("ix_spaces_jurisdiction_code_created_at_id", table_name="spaces")
    op.create_index("ix_spaces_jurisdiction_code", "spaces", ["jurisdiction_code"])
