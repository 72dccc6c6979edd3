"""Operators (运营主体) with their append-only history, and each space's operator.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
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

OVERRIDE_RECORDED = (
    "(uscc_override AND override_reason IS NOT NULL AND override_by IS NOT NULL) OR "
    "(NOT uscc_override AND override_reason IS NULL AND override_by IS NULL)"
)


def _operator_kind() -> sa.Enum:
    return sa.Enum(
        "enterprise",
        "public_institution",
        "university",
        "research_institute",
        "other",
        name="operator_kind",
        native_enum=False,
        length=30,
        create_constraint=True,
    )


def _state_columns() -> list[sa.Column[object]]:
    """The facts of an operator, as both the current row and each version hold them."""
    return [
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", _operator_kind(), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=False),
        sa.Column("registered_address", sa.String(500), nullable=False),
        sa.Column("registered_in_lanzhou", sa.Boolean(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(10), nullable=False),
        sa.Column("uscc_override", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.String(1000), nullable=True),
        sa.Column("override_by", sa.String(200), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_state_columns(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.CheckConstraint("length(uscc) = 18", name=op.f("ck_operators_uscc_length")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_operators_version_positive")),
        sa.CheckConstraint(OVERRIDE_RECORDED, name=op.f("ck_operators_override_recorded")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_operators_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("uscc", name=op.f("uq_operators_uscc")),
    )
    op.create_index("ix_operators_jurisdiction_code", "operators", ["jurisdiction_code"])
    op.create_index("ix_operators_created_at_id", "operators", ["created_at", "id"])

    op.create_table(
        "operator_versions",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        *_state_columns(),
        sa.CheckConstraint("version >= 1", name=op.f("ck_operator_versions_version_positive")),
        sa.CheckConstraint(OVERRIDE_RECORDED, name=op.f("ck_operator_versions_override_recorded")),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_operator_versions_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "version", name=op.f("pk_operator_versions")),
    )
    make_append_only_v1(op, "operator_versions")

    with op.batch_alter_table("spaces") as batch:
        batch.add_column(sa.Column("operator_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_spaces_operator_id_operators"), "operators", ["operator_id"], ["id"]
        )
        batch.create_index("ix_spaces_operator_id", ["operator_id"])


def downgrade() -> None:
    with op.batch_alter_table("spaces") as batch:
        batch.drop_index("ix_spaces_operator_id")
        batch.drop_constraint(op.f("fk_spaces_operator_id_operators"), type_="foreignkey")
        batch.drop_column("operator_id")
    drop_append_only_v1(op, "operator_versions")
    op.drop_table("operator_versions")
    op.drop_index("ix_operators_created_at_id", table_name="operators")
    op.drop_index("ix_operators_jurisdiction_code", table_name="operators")
    op.drop_table("operators")
