"""A space's conditions as append-only dated versions (premises, online platform, facilities,
management rules, services, financing, specialisation), and three operator facts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEASE_RECORDED = (
    "(tenure = 'owned' AND lease_start IS NULL AND lease_end IS NULL) OR "
    "(tenure = 'leased' AND lease_start IS NOT NULL AND lease_end IS NOT NULL "
    "AND lease_end > lease_start)"
)
OPERATOR_FACTS = ("independent_legal_person", "innovative_enterprise", "stable_revenue_evidence")


def _version_table(table: str, *content: sa.Column[object] | sa.CheckConstraint) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("remarks", sa.String(2000), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        *content,
        sa.CheckConstraint("version >= 1", name=op.f(f"ck_{table}_version_positive")),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f(f"fk_{table}_space_id_spaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("space_id", "version", name=f"uq_{table}_space_id_version"),
    )
    op.create_index(f"ix_{table}_space_id_effective_on", table, ["space_id", "effective_on"])
    make_append_only_v1(op, table)


def _flags(*names: str) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Boolean(), nullable=False) for name in names]


TABLES = (
    "space_premises_versions",
    "space_online_platform_versions",
    "space_facilities_versions",
    "space_management_rules_versions",
    "space_services_versions",
    "space_financing_versions",
    "space_specialisation_versions",
)


def upgrade() -> None:
    _version_table(
        "space_premises_versions",
        sa.Column("total_area_m2", sa.BigInteger(), nullable=False),
        sa.Column("service_area_m2", sa.BigInteger(), nullable=False),
        sa.Column("office_and_public_service_area_m2", sa.BigInteger(), nullable=False),
        sa.Column("independent_workstations", sa.Integer(), nullable=False),
        sa.Column(
            "tenure",
            sa.Enum(
                "owned",
                "leased",
                name="tenure",
                native_enum=False,
                length=10,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("lease_start", sa.Date(), nullable=True),
        sa.Column("lease_end", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "total_area_m2 >= 0 AND service_area_m2 >= 0 "
            "AND office_and_public_service_area_m2 >= 0",
            name=op.f("ck_space_premises_versions_areas_nonnegative"),
        ),
        sa.CheckConstraint(
            "service_area_m2 <= total_area_m2 "
            "AND office_and_public_service_area_m2 <= total_area_m2",
            name=op.f("ck_space_premises_versions_parts_within_total"),
        ),
        sa.CheckConstraint(
            "independent_workstations >= 0",
            name=op.f("ck_space_premises_versions_workstations_nonnegative"),
        ),
        sa.CheckConstraint(LEASE_RECORDED, name=op.f("ck_space_premises_versions_lease_recorded")),
    )
    _version_table(
        "space_online_platform_versions",
        sa.Column("operates_online_platform", sa.Boolean(), nullable=False),
        sa.Column("platform_url", sa.String(500), nullable=True),
        *_flags("connects_resources", "offers_incubation_services"),
    )
    _version_table(
        "space_facilities_versions",
        *_flags(
            "power",
            "water",
            "fire_safety",
            "telecoms",
            "network",
            "ready_to_move_in",
            "free_or_low_cost_space",
        ),
    )
    _version_table(
        "space_management_rules_versions",
        *_flags("admission_assessment", "financial_management", "daily_services", "exit_mechanism"),
    )
    _version_table(
        "space_services_versions",
        sa.Column("basic_services", sa.JSON(), nullable=False),
        sa.Column("startup_services", sa.JSON(), nullable=False),
        sa.Column("coordinated_services", sa.JSON(), nullable=False),
        sa.Column("online_and_offline", sa.Boolean(), nullable=False),
    )
    _version_table(
        "space_financing_versions",
        sa.Column("seed_fund", sa.Boolean(), nullable=False),
        sa.Column("financing_modes", sa.JSON(), nullable=False),
        sa.Column("invested_amount_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "invested_amount_fen >= 0",
            name=op.f("ck_space_financing_versions_invested_nonnegative"),
        ),
    )
    _version_table(
        "space_specialisation_versions",
        sa.Column("strategic_emerging_industry_subfield", sa.String(200), nullable=False),
        sa.Column("rd_and_industrialisation_evidence", sa.Boolean(), nullable=False),
    )
    for table in ("operators", "operator_versions"):
        for name in OPERATOR_FACTS:
            op.add_column(table, sa.Column(name, sa.Boolean(), nullable=True))


def downgrade() -> None:
    for table in ("operator_versions", "operators"):
        for name in reversed(OPERATOR_FACTS):
            op.drop_column(table, name)
    for table in reversed(TABLES):
        drop_append_only_v1(op, table)
        op.drop_index(f"ix_{table}_space_id_effective_on", table_name=table)
        op.drop_table(table)
