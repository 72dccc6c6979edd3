"""Platform tables, the eleven jurisdictions, and a first spaces table.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import create_platform_schema_v1, drop_platform_schema_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JURISDICTIONS = [
    ("620102", "城关区", "Chengguan District", "district"),
    ("620103", "七里河区", "Qilihe District", "district"),
    ("620104", "西固区", "Xigu District", "district"),
    ("620105", "安宁区", "Anning District", "district"),
    ("620111", "红古区", "Honggu District", "district"),
    ("620121", "永登县", "Yongdeng County", "county"),
    ("620122", "皋兰县", "Gaolan County", "county"),
    ("620123", "榆中县", "Yuzhong County", "county"),
    ("LZXQ", "兰州新区", "Lanzhou New Area", "functional_zone"),
    ("LZGXQ", "兰州高新区", "Lanzhou High-Tech Zone", "functional_zone"),
    ("LZJJQ", "兰州经济区", "Lanzhou Economic Zone", "functional_zone"),
]


def upgrade() -> None:
    create_platform_schema_v1(op)
    jurisdictions = op.create_table(
        "jurisdictions",
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("name_zh", sa.String(40), nullable=False),
        sa.Column("name_en", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('district', 'county', 'functional_zone')", name=op.f("ck_jurisdictions_kind")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("name_zh", name=op.f("uq_jurisdictions_name_zh")),
    )
    op.bulk_insert(
        jurisdictions,
        [
            {"code": code, "name_zh": zh, "name_en": en, "kind": kind}
            for code, zh, en, kind in JURISDICTIONS
        ],
    )
    op.create_table(
        "spaces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(10), nullable=False),
        sa.Column(
            "form",
            sa.Enum(
                "comprehensive",
                "specialised",
                "virtual",
                name="space_form",
                native_enum=False,
                length=20,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "profile",
            sa.Enum(
                "e_commerce",
                "culture",
                "modern_agriculture",
                "internet_plus",
                "tech_startup",
                "comprehensive_services",
                name="space_profile",
                native_enum=False,
                length=30,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_spaces_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spaces")),
        sa.UniqueConstraint("jurisdiction_code", "name", name="uq_spaces_jurisdiction_name"),
    )
    op.create_index("ix_spaces_jurisdiction_code", "spaces", ["jurisdiction_code"])
    op.create_index("ix_spaces_created_at_id", "spaces", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_spaces_created_at_id", table_name="spaces")
    op.drop_index("ix_spaces_jurisdiction_code", table_name="spaces")
    op.drop_table("spaces")
    op.drop_table("jurisdictions")
    drop_platform_schema_v1(op)
