"""Report answers: the summary by a grouping, and a space's statement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.subsidy.awards.models import AwardKind, AwardStatus
from services.subsidy.disbursements.models import DisbursementMethod, DisbursementStatus
from services.subsidy.ledger.models import EntryKind
from services.subsidy.recoveries.models import CaseStatus, RecoveryGround, SettlementKind


class Grouping(StrEnum):
    """What the summary's rows are."""

    YEAR = "year"  # 年度: the award's fiscal year; a case's year of determination
    JURISDICTION = "jurisdiction"  # 属地
    SPACE = "space"  # 众创空间
    KIND = "kind"  # 奖补类别 (recovery columns do not apply)
    STATUS = "status"  # 奖补状态 (recovery columns do not apply)


class Figures(BaseModel):
    """One row's money, all in fen. The recovery figures are null where the grouping does not
    apply to recovery cases (award kind, award status): a case claims back from a space, not
    from a kind of award."""

    awards: int = Field(description="奖补笔数: number of awards")
    awarded_fen: int = Field(
        description="核定奖补: awarded net of what was released back to the budget "
        "(undisbursed + in transit + paid)"
    )
    paid_fen: int = Field(description="已拨付: paid (gross, including tranches offset)")
    in_transit_fen: int = Field(description="拨付在途: instructed, not yet confirmed")
    undisbursed_fen: int = Field(description="未拨付: awarded, not yet instructed")
    claimed_back_fen: int = Field(description="已认定追回: of what was paid, claimed back")
    recovery_determined_fen: int | None = Field(
        description="追回认定: determined on the recovery cases (net of reversed settlements)"
    )
    recovery_outstanding_fen: int | None = Field(description="待追回: still owed")
    recovered_fen: int | None = Field(description="已追回: repaid or offset")
    written_off_fen: int | None = Field(description="已核销: written off with approval")


class SummaryRow(Figures):
    key: str = Field(
        description="The group: a year, a jurisdiction code, a space id, a kind or a status"
    )
    label: str = Field(description="The group in words (Chinese), as the exports show it")
    jurisdiction_code: str | None = Field(
        None, description="The space's jurisdiction (by=space only)"
    )


class BudgetBlock(BaseModel):
    """City-wide budget figures; not shown to a district officer."""

    appropriated_fen: int = Field(description="预算总额: appropriations and adjustments")
    available_fen: int = Field(description="可用余额: not yet awarded")
    paid_fen: int = Field(description="已拨付: paid on the awards of the year(s)")
    execution_rate_percent: str = Field(
        description="预算执行率: paid / appropriated, one decimal, rounded half up"
    )


class Summary(BaseModel):
    fiscal_year: int | None = Field(description="The year reported, or null for all years")
    by: Grouping
    jurisdiction_scope: str | None = Field(
        description="The one jurisdiction the figures are confined to (a district officer's), "
        "or null for city-wide figures"
    )
    recovery_applies: bool = Field(
        description="False for by=kind and by=status: the rows' recovery figures are null "
        "(the totals row still has them)"
    )
    rows: list[SummaryRow]
    totals: Figures = Field(description="合计: every award and case in scope")
    budget: BudgetBlock | None = Field(
        description="预算执行: for the bureau, finance and auditors; null for a district"
    )


class TrancheOut(BaseModel):
    id: uuid.UUID
    tranche_no: int
    amount_fen: int
    method: DisbursementMethod
    status: DisbursementStatus
    recovery_case_id: uuid.UUID | None
    created_at: datetime
    settled_on: date | None
    bank_reference: str | None
    end_reason: str | None


class StatementAward(BaseModel):
    id: uuid.UUID
    kind: AwardKind
    fiscal_year: int
    amount_fen: int = Field(description="As decided")
    decision_document_no: str
    decided_on: date
    status: AwardStatus
    undisbursed_fen: int
    in_transit_fen: int
    paid_fen: int = Field(description="Gross")
    claimed_back_fen: int
    tranches: list[TrancheOut]


class StatementSettlement(BaseModel):
    id: uuid.UUID
    kind: SettlementKind
    amount_fen: int
    settled_on: date
    reference: str
    entry_id: uuid.UUID
    reversed: bool = Field(description="Its ledger entry was reversed (e.g. a bounced repayment)")


class StatementCase(BaseModel):
    id: uuid.UUID
    ground: RecoveryGround
    legal_basis: str
    document_no: str
    determined_on: date
    due_on: date
    status: CaseStatus
    determined_fen: int
    outstanding_fen: int
    recovered_fen: int
    written_off_fen: int
    settlements: list[StatementSettlement]


class StatementLine(BaseModel):
    """One ledger entry touching the space's accounts, with what it changed there."""

    seq: int
    entry_id: uuid.UUID
    kind: EntryKind
    effective_on: date
    created_at: datetime
    document_no: str | None
    memo: str = Field(description="As recorded in the ledger")
    summary: str = Field(
        description="摘要: the memo as a person reads it, the codes it was written with as "
        "their Chinese labels (`recognition` → 新认定市级众创空间奖励); what the exports show"
    )
    award_id: uuid.UUID | None
    case_id: uuid.UUID | None
    reverses_id: uuid.UUID | None
    undisbursed_fen: int = Field(description="Change in what is awarded and not instructed")
    in_transit_fen: int = Field(description="Change in payments in transit")
    paid_fen: int = Field(description="Change in gross paid")
    claimed_back_fen: int = Field(description="Change in what was claimed back")
    recovered_fen: int = Field(description="Change in what was recovered")
    written_off_fen: int = Field(description="Change in what was written off")
    net_paid_fen: int = Field(description="累计净拨付 after this entry: paid − claimed back")
    outstanding_fen: int = Field(description="待追回 after this entry")


class Statement(BaseModel):
    space_id: uuid.UUID
    space_name: str
    jurisdiction_code: str
    awards: list[StatementAward]
    recovery_cases: list[StatementCase]
    lines: list[StatementLine]
    totals: Figures
