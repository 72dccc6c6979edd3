"""The tables every service's database holds besides its own: the audit log and idempotency keys.

Each service's Alembic history creates them in its first revision through the frozen
``*_v1`` operations below; a later change to these tables is a new ``*_v2`` operation used
by new revisions, never an edit of v1 (a revision must replay identically forever).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shared.db import UTCDateTime, new_metadata

platform_metadata = new_metadata()

_BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

audit_log = sa.Table(
    "audit_log",
    platform_metadata,
    sa.Column("seq", _BigIntId, primary_key=True, autoincrement=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("actor_subject", sa.String(200), nullable=False),
    sa.Column("actor_role", sa.String(40), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(10), nullable=True),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(500), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(60), nullable=True),
    sa.Column("object_id", sa.String(100), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=False),
    sa.Column("details", sa.Text(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
    sa.CheckConstraint("outcome IN ('succeeded', 'rejected', 'failed')", name="outcome"),
    sa.CheckConstraint("seq >= 1", name="seq_positive"),
    sa.Index("ix_audit_log_object", "object_type", "object_id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    platform_metadata,
    sa.Column("principal_subject", sa.String(200), primary_key=True),
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=True),
    sa.Column("response_headers", sa.Text(), nullable=True),
    sa.Column("response_body", sa.LargeBinary(), nullable=True),
)

APPEND_ONLY_FUNCTION = "append_only_guard"


def create_append_only_guard_v1(op: Any) -> None:
    """The PostgreSQL trigger function every append-only table uses (no-op on SQLite)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {APPEND_ONLY_FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )


def make_append_only_v1(op: Any, table: str) -> None:
    """Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on ``table`` in the database itself."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {verb} "
                "refused'); END"
            )


def drop_append_only_v1(op: Any, table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def create_platform_schema_v1(op: Any) -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "audit_log",
        sa.Column("seq", big_id, primary_key=True, autoincrement=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor_subject", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(10), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("object_type", sa.String(60), nullable=True),
        sa.Column("object_id", sa.String(100), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('succeeded', 'rejected', 'failed')", name=op.f("ck_audit_log_outcome")
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_log_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("principal_subject", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint(
            "principal_subject", "idempotency_key", name=op.f("pk_idempotency_keys")
        ),
    )
    create_append_only_guard_v1(op)
    make_append_only_v1(op, "audit_log")


def drop_platform_schema_v1(op: Any) -> None:
    drop_append_only_v1(op, "audit_log")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_audit_log_object", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {APPEND_ONLY_FUNCTION}()")
