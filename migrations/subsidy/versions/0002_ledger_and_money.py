"""The money: ledger accounts, entries and transfers (append-only) and their hash chain
(append-only), budgets, awards and their proposals, disbursements, recovery cases and
settlements (append-only), and the registry events received (append-only).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = (
    "ledger_entries",
    "ledger_transfers",
    "ledger_chain",
    "recovery_settlements",
    "received_events",
)


def upgrade() -> None:
    op.create_table(
        "award_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("event_document_no", sa.String(length=200), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=False),
        sa.Column(
            "space_form",
            sa.Enum(
                "comprehensive",
                "specialised",
                "virtual",
                name="space_form",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "recognition",
                "national_filing",
                "excellent_assessment",
                "operating_subsidy",
                name="award_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("policy_id", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "confirmed",
                "declined",
                name="proposal_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(status = 'open' AND decided_at IS NULL) OR (status = 'confirmed' AND decided_at IS NOT NULL AND decline_reason IS NULL) OR (status = 'declined' AND decided_at IS NOT NULL AND decline_reason IS NOT NULL)",
            name=op.f("ck_award_proposals_status_recorded"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_award_proposals_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_proposals")),
        sa.UniqueConstraint("event_id", "kind", name="uq_award_proposals_event_kind"),
    )
    with op.batch_alter_table("award_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_award_proposals_created_at_id", ["created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_award_proposals_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_award_proposals_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_award_proposals_space_id"), ["space_id"], unique=False)

    op.create_table(
        "budgets",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("fiscal_year BETWEEN 2015 AND 2100", name=op.f("ck_budgets_year_range")),
        sa.PrimaryKeyConstraint("fiscal_year", name=op.f("pk_budgets")),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "appropriation",
                "budget",
                "committed",
                "in_transit",
                "disbursed",
                "receivable",
                "recovered",
                "written_off",
                name="account_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "normal_side",
            sa.Enum(
                "debit",
                "credit",
                name="normal_side",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("award_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column(
            "debits_posted", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "credits_posted", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(normal_side = 'debit' AND credits_posted <= debits_posted) OR (normal_side = 'credit' AND debits_posted <= credits_posted)",
            name=op.f("ck_ledger_accounts_balance_not_negative"),
        ),
        sa.CheckConstraint(
            "debits_posted >= 0 AND credits_posted >= 0",
            name=op.f("ck_ledger_accounts_sums_not_negative"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ledger_accounts")),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_accounts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "appropriation",
                "budget_adjustment",
                "award_committed",
                "award_released",
                "disbursement_instructed",
                "disbursement_confirmed",
                "disbursement_released",
                "recovery_determined",
                "repayment",
                "offset",
                "write_off",
                "reversal",
                name="entry_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("space_id", sa.Uuid(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=True),
        sa.Column("award_id", sa.Uuid(), nullable=True),
        sa.Column("disbursement_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("document_no", sa.String(length=200), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)",
            name=op.f("ck_ledger_entries_reversal_references_original"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("id", name=op.f("uq_ledger_entries_id")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_entries_reverses_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_disbursement_id"), ["disbursement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_entries_space_id"), ["space_id"], unique=False)

    op.create_table(
        "received_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=1000), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_from", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_received_events")),
    )
    with op.batch_alter_table("received_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_events_space_id"), ["space_id"], unique=False)

    op.create_table(
        "recovery_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=True),
        sa.Column(
            "ground",
            sa.Enum(
                "false_materials",
                "misuse",
                name="recovery_ground",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("document_no", sa.String(length=200), nullable=False),
        sa.Column("determined_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "recovered",
                "written_off",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("write_off_requested_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("write_off_requested_by", sa.String(length=200), nullable=True),
        sa.Column("write_off_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(write_off_requested_at IS NULL AND write_off_requested_by IS NULL AND write_off_reason IS NULL) OR (write_off_requested_at IS NOT NULL AND write_off_requested_by IS NOT NULL AND write_off_reason IS NOT NULL)",
            name=op.f("ck_recovery_cases_write_off_request_recorded"),
        ),
        sa.CheckConstraint(
            "due_on >= determined_on", name=op.f("ck_recovery_cases_due_after_determination")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_cases")),
        sa.UniqueConstraint("event_id", name=op.f("uq_recovery_cases_event_id")),
    )
    with op.batch_alter_table("recovery_cases", schema=None) as batch_op:
        batch_op.create_index("ix_recovery_cases_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recovery_cases_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_cases_operator_id"), ["operator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recovery_cases_space_id"), ["space_id"], unique=False)

    op.create_table(
        "awards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("space_name", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=True),
        sa.Column(
            "space_form",
            sa.Enum(
                "comprehensive",
                "specialised",
                "virtual",
                name="space_form",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "recognition",
                "national_filing",
                "excellent_assessment",
                "operating_subsidy",
                name="award_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("policy_id", sa.String(length=60), nullable=False),
        sa.Column("decision_document_no", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending_approval",
                "approved",
                "declined",
                "cancelled",
                name="award_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending_approval' AND approved_at IS NULL AND closed_at IS NULL) OR (status = 'approved' AND approved_at IS NOT NULL AND closed_at IS NULL) OR (status = 'declined' AND approved_at IS NULL AND closed_at IS NOT NULL) OR (status = 'cancelled' AND closed_at IS NOT NULL)",
            name=op.f("ck_awards_status_recorded"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_awards_amount_positive")),
        sa.CheckConstraint(
            "approved_by IS NULL OR approved_by <> created_by", name=op.f("ck_awards_four_eyes")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["award_proposals.id"],
            name=op.f("fk_awards_proposal_id_award_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_awards_proposal_id")),
    )
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.create_index("ix_awards_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_awards_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_awards_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_awards_space_id"), ["space_id"], unique=False)
        batch_op.create_index(
            "uq_awards_active_space_kind_year",
            ["space_id", "kind", "fiscal_year"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending_approval', 'approved')"),
            sqlite_where=sa.text("status IN ('pending_approval', 'approved')"),
        )

    op.create_table(
        "ledger_chain",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "entry_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_ledger_chain_position_positive")),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["ledger_entries.seq"],
            name=op.f("fk_ledger_chain_entry_seq_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_ledger_chain")),
        sa.UniqueConstraint("entry_seq", name=op.f("uq_ledger_chain_entry_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_ledger_chain_hash")),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column(
            "entry_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("debit_account", sa.String(length=80), nullable=False),
        sa.Column("credit_account", sa.String(length=80), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_ledger_transfers_amount_positive")),
        sa.CheckConstraint(
            "debit_account <> credit_account", name=op.f("ck_ledger_transfers_two_accounts")
        ),
        sa.CheckConstraint("line >= 1", name=op.f("ck_ledger_transfers_line_positive")),
        sa.ForeignKeyConstraint(
            ["credit_account"],
            ["ledger_accounts.code"],
            name=op.f("fk_ledger_transfers_credit_account_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_account"],
            ["ledger_accounts.code"],
            name=op.f("fk_ledger_transfers_debit_account_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["ledger_entries.seq"],
            name=op.f("fk_ledger_transfers_entry_seq_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("entry_seq", "line", name=op.f("pk_ledger_transfers")),
    )
    with op.batch_alter_table("ledger_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_transfers_credit_account"), ["credit_account"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transfers_debit_account"), ["debit_account"], unique=False
        )

    op.create_table(
        "disbursements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("award_id", sa.Uuid(), nullable=False),
        sa.Column("tranche_no", sa.Integer(), nullable=False),
        sa.Column(
            "amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "method",
            sa.Enum(
                "payment",
                "offset",
                name="disbursement_method",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("recovery_case_id", sa.Uuid(), nullable=True),
        sa.Column("payee_name", sa.String(length=200), nullable=True),
        sa.Column("payee_account", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "created",
                "sent",
                "confirmed",
                "failed",
                "cancelled",
                name="disbursement_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("sent_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("ended_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=200), nullable=True),
        sa.Column("end_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(method = 'offset') = (recovery_case_id IS NOT NULL)",
            name=op.f("ck_disbursements_offset_names_case"),
        ),
        sa.CheckConstraint(
            "(status = 'created' AND sent_at IS NULL AND ended_at IS NULL) OR (status = 'sent' AND sent_at IS NOT NULL AND ended_at IS NULL) OR (status = 'confirmed' AND ended_at IS NOT NULL AND settled_on IS NOT NULL) OR (status IN ('failed', 'cancelled') AND ended_at IS NOT NULL AND end_reason IS NOT NULL AND settled_on IS NULL)",
            name=op.f("ck_disbursements_status_recorded"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_disbursements_amount_positive")),
        sa.CheckConstraint("tranche_no >= 1", name=op.f("ck_disbursements_tranche_positive")),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_disbursements_award_id_awards")
        ),
        sa.ForeignKeyConstraint(
            ["recovery_case_id"],
            ["recovery_cases.id"],
            name=op.f("fk_disbursements_recovery_case_id_recovery_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disbursements")),
        sa.UniqueConstraint("award_id", "tranche_no", name="uq_disbursements_award_tranche"),
    )
    with op.batch_alter_table("disbursements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disbursements_award_id"), ["award_id"], unique=False)
        batch_op.create_index("ix_disbursements_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_disbursements_recovery_case_id"), ["recovery_case_id"], unique=False
        )

    op.create_table(
        "recovery_settlements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "repayment",
                "offset",
                "write_off",
                name="settlement_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("disbursement_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(kind = 'offset') = (disbursement_id IS NOT NULL)",
            name=op.f("ck_recovery_settlements_offset_names_tranche"),
        ),
        sa.CheckConstraint(
            "(kind = 'write_off') = (approved_by IS NOT NULL)",
            name=op.f("ck_recovery_settlements_write_off_approved"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_recovery_settlements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["recovery_cases.id"],
            name=op.f("fk_recovery_settlements_case_id_recovery_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["disbursement_id"],
            ["disbursements.id"],
            name=op.f("fk_recovery_settlements_disbursement_id_disbursements"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_recovery_settlements_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_settlements")),
    )
    with op.batch_alter_table("recovery_settlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_settlements_case_id"), ["case_id"], unique=False
        )

    for table in APPEND_ONLY:
        make_append_only_v1(op, table)


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        drop_append_only_v1(op, table)
    with op.batch_alter_table("recovery_settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_settlements_case_id"))

    op.drop_table("recovery_settlements")
    with op.batch_alter_table("disbursements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disbursements_recovery_case_id"))
        batch_op.drop_index("ix_disbursements_created_at_id")
        batch_op.drop_index(batch_op.f("ix_disbursements_award_id"))

    op.drop_table("disbursements")
    with op.batch_alter_table("ledger_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transfers_debit_account"))
        batch_op.drop_index(batch_op.f("ix_ledger_transfers_credit_account"))

    op.drop_table("ledger_transfers")
    op.drop_table("ledger_chain")
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_awards_active_space_kind_year",
            postgresql_where=sa.text("status IN ('pending_approval', 'approved')"),
            sqlite_where=sa.text("status IN ('pending_approval', 'approved')"),
        )
        batch_op.drop_index(batch_op.f("ix_awards_space_id"))
        batch_op.drop_index(batch_op.f("ix_awards_operator_id"))
        batch_op.drop_index(batch_op.f("ix_awards_jurisdiction_code"))
        batch_op.drop_index("ix_awards_created_at_id")

    op.drop_table("awards")
    with op.batch_alter_table("recovery_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_cases_space_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_cases_operator_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_cases_jurisdiction_code"))
        batch_op.drop_index("ix_recovery_cases_created_at_id")

    op.drop_table("recovery_cases")
    with op.batch_alter_table("received_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_events_space_id"))

    op.drop_table("received_events")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_space_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_disbursement_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_case_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_award_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_case_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_award_id"))

    op.drop_table("ledger_accounts")
    op.drop_table("budgets")
    with op.batch_alter_table("award_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_proposals_space_id"))
        batch_op.drop_index(batch_op.f("ix_award_proposals_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_award_proposals_event_id"))
        batch_op.drop_index("ix_award_proposals_created_at_id")

    op.drop_table("award_proposals")
