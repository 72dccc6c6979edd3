"""A space's status history, levels, annual assessment results (all append-only), and the
event outbox with each subscriber's delivery cursor and acknowledged deliveries.

Every existing space gets its first status record: applicant from its opened_on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACT_RECORDED = (
    "(act = 'registered' AND seq = 1 AND status = 'applicant' AND document_no IS NULL) OR "
    "(act = 'recognition' AND seq > 1 AND status = 'recognised' AND document_no IS NOT NULL) OR "
    "(act = 'rectification' AND seq > 1 AND status = 'under_rectification' "
    "AND document_no IS NOT NULL AND rectification_deadline IS NOT NULL) OR "
    "(act = 'rectification_end' AND seq > 1 AND status = 'recognised' "
    "AND document_no IS NOT NULL) OR "
    "(act = 'revocation' AND seq > 1 AND status = 'revoked' AND document_no IS NOT NULL "
    "AND revocation_reason IS NOT NULL AND legal_basis IS NOT NULL)"
)
CORRECTION_EXPLAINED = (
    "(revision = 1 AND correction_reason IS NULL) OR "
    "(revision > 1 AND correction_reason IS NOT NULL)"
)
APPEND_ONLY = (
    "space_status_changes",
    "space_level_grants",
    "space_level_ends",
    "space_assessments",
    "registry_events",
    "event_deliveries",
)


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length, create_constraint=True)


def _big_int() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _space_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["space_id"], ["spaces.id"], name=op.f(f"fk_{table}_space_id_spaces")
    )


def _recorded() -> list[sa.Column[object]]:
    return [
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    status_changes = op.create_table(
        "space_status_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "act",
            _enum(
                "status_act",
                20,
                "registered",
                "recognition",
                "rectification",
                "rectification_end",
                "revocation",
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            _enum("space_status", 20, "applicant", "recognised", "under_rectification", "revoked"),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(200), nullable=True),
        sa.Column("rectification_deadline", sa.Date(), nullable=True),
        sa.Column(
            "revocation_reason",
            _enum("revocation_reason", 30, "false_materials", "failed_assessments", "other"),
            nullable=True,
        ),
        sa.Column("legal_basis", sa.String(500), nullable=True),
        sa.Column("remarks", sa.String(2000), nullable=True),
        *_recorded(),
        sa.CheckConstraint(ACT_RECORDED, name=op.f("ck_space_status_changes_act_recorded")),
        sa.CheckConstraint(
            "rectification_deadline IS NULL OR rectification_deadline >= effective_on",
            name=op.f("ck_space_status_changes_deadline_after_effective"),
        ),
        _space_fk("space_status_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_status_changes")),
        sa.UniqueConstraint("space_id", "seq", name="uq_space_status_changes_space_id_seq"),
    )
    op.create_index(
        "ix_space_status_changes_space_id_effective_on",
        "space_status_changes",
        ["space_id", "effective_on"],
    )

    op.create_table(
        "space_level_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column(
            "level",
            _enum("space_level", 20, "municipal", "provincial", "national_filing"),
            nullable=False,
        ),
        sa.Column("document_no", sa.String(200), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("status_change_id", sa.Uuid(), nullable=True),
        *_recorded(),
        sa.CheckConstraint(
            "(level = 'municipal') = (status_change_id IS NOT NULL)",
            name=op.f("ck_space_level_grants_municipal_from_recognition"),
        ),
        _space_fk("space_level_grants"),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["space_status_changes.id"],
            name=op.f("fk_space_level_grants_status_change_id_space_status_changes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_level_grants")),
    )
    op.create_index(
        "ix_space_level_grants_space_id_effective_on",
        "space_level_grants",
        ["space_id", "effective_on"],
    )

    op.create_table(
        "space_level_ends",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("status_change_id", sa.Uuid(), nullable=True),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["space_level_grants.id"],
            name=op.f("fk_space_level_ends_grant_id_space_level_grants"),
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["space_status_changes.id"],
            name=op.f("fk_space_level_ends_status_change_id_space_status_changes"),
        ),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_space_level_ends")),
    )

    op.create_table(
        "space_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "grade", _enum("assessment_grade", 10, "优秀", "良好", "合格", "不合格"), nullable=False
        ),
        sa.Column("document_no", sa.String(200), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("correction_reason", sa.String(1000), nullable=True),
        *_recorded(),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_space_assessments_revision_positive")),
        sa.CheckConstraint(
            "year >= 2015 AND year <= 2100", name=op.f("ck_space_assessments_year_range")
        ),
        sa.CheckConstraint(
            CORRECTION_EXPLAINED, name=op.f("ck_space_assessments_correction_explained")
        ),
        _space_fk("space_assessments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_assessments")),
        sa.UniqueConstraint(
            "space_id", "year", "revision", name="uq_space_assessments_space_id_year_revision"
        ),
    )

    op.create_table(
        "registry_events",
        sa.Column("sequence", _big_int(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_registry_events_sequence_positive")),
        _space_fk("registry_events"),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_registry_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_registry_events_event_id")),
    )
    op.create_index("ix_registry_events_space_id", "registry_events", ["space_id"])

    op.create_table(
        "event_subscriber_cursors",
        sa.Column("subscriber", sa.String(100), nullable=False),
        sa.Column("delivered_through", _big_int(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "delivered_through >= 0",
            name=op.f("ck_event_subscriber_cursors_delivered_through_nonnegative"),
        ),
        sa.CheckConstraint(
            "failures >= 0", name=op.f("ck_event_subscriber_cursors_failures_nonnegative")
        ),
        sa.PrimaryKeyConstraint("subscriber", name=op.f("pk_event_subscriber_cursors")),
    )

    op.create_table(
        "event_deliveries",
        sa.Column("subscriber", sa.String(100), nullable=False),
        sa.Column("sequence", _big_int(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sequence"],
            ["registry_events.sequence"],
            name=op.f("fk_event_deliveries_sequence_registry_events"),
        ),
        sa.PrimaryKeyConstraint("subscriber", "sequence", name=op.f("pk_event_deliveries")),
    )

    for table in APPEND_ONLY:
        make_append_only_v1(op, table)

    # Every space registered before this revision is an applicant from the day it opened.
    spaces = sa.table(
        "spaces",
        sa.column("id", sa.Uuid()),
        sa.column("opened_on", sa.Date()),
        sa.column("created_at", UTCDateTime()),
        sa.column("created_by", sa.String()),
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "space_id": row.id,
            "seq": 1,
            "act": "registered",
            "status": "applicant",
            "effective_on": row.opened_on,
            "recorded_at": row.created_at,
            "recorded_by": row.created_by,
        }
        for row in op.get_bind().execute(sa.select(spaces))
    ]
    if rows:
        op.bulk_insert(status_changes, rows)


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        drop_append_only_v1(op, table)
    op.drop_table("event_deliveries")
    op.drop_table("event_subscriber_cursors")
    op.drop_index("ix_registry_events_space_id", table_name="registry_events")
    op.drop_table("registry_events")
    op.drop_table("space_assessments")
    op.drop_table("space_level_ends")
    op.drop_index("ix_space_level_grants_space_id_effective_on", table_name="space_level_grants")
    op.drop_table("space_level_grants")
    op.drop_index(
        "ix_space_status_changes_space_id_effective_on", table_name="space_status_changes"
    )
    op.drop_table("space_status_changes")
