"""Teams joined, left and graduated per jurisdiction and day: the rollup the statistics read
instead of counting every team per request; filled from the teams already recorded.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each team counts once on the day it joined, and once more on the day it left.
BACKFILL = """
INSERT INTO team_day_counts (jurisdiction_code, day, joined_count, left_count, graduated_count)
SELECT spaces.jurisdiction_code, events.day, SUM(events.joined), SUM(events.left_),
       SUM(events.graduated)
FROM (
    SELECT space_id, joined_on AS day, 1 AS joined, 0 AS left_, 0 AS graduated FROM teams
    UNION ALL
    SELECT space_id, left_on, 0, 1, CASE WHEN status = 'graduated' THEN 1 ELSE 0 END
    FROM teams WHERE left_on IS NOT NULL
) AS events
JOIN spaces ON spaces.id = events.space_id
GROUP BY spaces.jurisdiction_code, events.day
"""


def upgrade() -> None:
    op.create_table(
        "team_day_counts",
        sa.Column("jurisdiction_code", sa.String(10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("joined_count", sa.Integer(), nullable=False),
        sa.Column("left_count", sa.Integer(), nullable=False),
        sa.Column("graduated_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "joined_count >= 0 AND left_count >= 0 AND graduated_count >= 0",
            name=op.f("ck_team_day_counts_counts_nonnegative"),
        ),
        sa.CheckConstraint(
            "graduated_count <= left_count",
            name=op.f("ck_team_day_counts_graduated_within_left"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_team_day_counts_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("jurisdiction_code", "day", name=op.f("pk_team_day_counts")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("team_day_counts")
