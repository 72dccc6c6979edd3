"""Spaces get an address and a version; space_versions keeps every state a space has had
(filled with each existing space's first); space_jurisdiction_changes records the bureau's
moves; team_day_counts counts the teams a move carries out of and into a jurisdiction.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every space registered so far has had one state: the one it has now.
BACKFILL = """
INSERT INTO space_versions (space_id, version, kind, changed, valid_from, recorded_by, name,
                            address, jurisdiction_code, form, profile, opened_on, operator_id)
SELECT id, 1, 'registered', '', created_at, created_by, name, NULL, jurisdiction_code, form,
       profile, opened_on, operator_id
FROM spaces
"""


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table("spaces") as batch:
        batch.add_column(sa.Column("address", sa.String(500), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    op.create_table(
        "space_versions",
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("space_change_kind", 30, "registered", "correction", "jurisdiction_change"),
            nullable=False,
        ),
        sa.Column("changed", sa.String(500), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("jurisdiction_code", sa.String(10), nullable=False),
        sa.Column(
            "form",
            _enum("space_form", 20, "comprehensive", "specialised", "virtual"),
            nullable=False,
        ),
        sa.Column(
            "profile",
            _enum(
                "space_profile",
                30,
                "e_commerce",
                "culture",
                "modern_agriculture",
                "internet_plus",
                "tech_startup",
                "comprehensive_services",
            ),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_space_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_space_versions_space_id_spaces")
        ),
        sa.PrimaryKeyConstraint("space_id", "version", name=op.f("pk_space_versions")),
    )
    op.execute(BACKFILL)
    make_append_only_v1(op, "space_versions")

    op.create_table(
        "space_jurisdiction_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_code", sa.String(10), nullable=False),
        sa.Column("to_code", sa.String(10), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("operator_id_before", sa.Uuid(), nullable=True),
        sa.Column("operator_id_after", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "from_code <> to_code", name=op.f("ck_space_jurisdiction_changes_moves_somewhere")
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_space_jurisdiction_changes_seq_positive")),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_space_jurisdiction_changes_space_id_spaces")
        ),
        sa.ForeignKeyConstraint(
            ["from_code"],
            ["jurisdictions.code"],
            name=op.f("fk_space_jurisdiction_changes_from_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["to_code"],
            ["jurisdictions.code"],
            name=op.f("fk_space_jurisdiction_changes_to_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_jurisdiction_changes")),
        sa.UniqueConstraint("space_id", "seq", name="uq_space_jurisdiction_changes_space_id_seq"),
    )
    make_append_only_v1(op, "space_jurisdiction_changes")

    with op.batch_alter_table("team_day_counts") as batch:
        batch.add_column(
            sa.Column("moved_in_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("moved_out_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_team_day_counts_moves_nonnegative"),
            "moved_in_count >= 0 AND moved_out_count >= 0",
        )


def downgrade() -> None:
    with op.batch_alter_table("team_day_counts") as batch:
        batch.drop_constraint("ck_team_day_counts_moves_nonnegative", type_="check")
        batch.drop_column("moved_out_count")
        batch.drop_column("moved_in_count")
    drop_append_only_v1(op, "space_jurisdiction_changes")
    op.drop_table("space_jurisdiction_changes")
    drop_append_only_v1(op, "space_versions")
    op.drop_table("space_versions")
    with op.batch_alter_table("spaces") as batch:
        batch.drop_column("version")
        batch.drop_column("address")
