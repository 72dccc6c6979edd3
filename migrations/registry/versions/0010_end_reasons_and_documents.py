"""A team's exit (on its team_events row), a staff member's departure and a listing's removal
each keep an optional reason and the registry document supporting it, present only on the end
itself.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, reason column, document column, check name, the check: only on the end itself)
ENDS = (
    (
        "team_events",
        "reason",
        "document_id",
        "end_detail_on_exit",
        "kind = 'exited' OR (reason IS NULL AND document_id IS NULL)",
    ),
    (
        "staff_members",
        "departure_reason",
        "departure_document_id",
        "departure_detail_with_departure",
        "ended_on IS NOT NULL OR (departure_reason IS NULL AND departure_document_id IS NULL)",
    ),
    (
        "compliance_listings",
        "removal_reason",
        "removal_document_id",
        "removal_detail_with_removal",
        "removed_on IS NOT NULL OR (removal_reason IS NULL AND removal_document_id IS NULL)",
    ),
)


# On SQLite a batch copies the table, which drops its triggers: team_events' append-only
# triggers are dropped before and made again after (on both databases, alike).
def upgrade() -> None:
    for table, reason, document, check, condition in ENDS:
        if table == "team_events":
            drop_append_only_v1(op, table)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(reason, sa.String(1000), nullable=True))
            batch.add_column(sa.Column(document, sa.Uuid(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_{document}_documents"), "documents", [document], ["id"]
            )
            batch.create_check_constraint(op.f(f"ck_{table}_{check}"), condition)
        if table == "team_events":
            make_append_only_v1(op, table)


def downgrade() -> None:
    for table, reason, document, check, _ in reversed(ENDS):
        if table == "team_events":
            drop_append_only_v1(op, table)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"ck_{table}_{check}", type_="check")
            batch.drop_constraint(f"fk_{table}_{document}_documents", type_="foreignkey")
            batch.drop_column(document)
            batch.drop_column(reason)
        if table == "team_events":
            make_append_only_v1(op, table)
