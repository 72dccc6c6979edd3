"""Budget requests and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from services.subsidy.ledger.models import EntryKind
from services.subsidy.money import PositiveFen, SignedFen
from shared.request_body import RequestBody

DocumentNo = Field(
    min_length=1,
    max_length=200,
    description="文号: the document behind it, e.g. 兰财教〔2026〕12号",
)


class AppropriationIn(RequestBody):
    amount_fen: PositiveFen
    document_no: str = DocumentNo
    appropriated_on: date = Field(description="The document's date (not in the future)")
    memo: str = Field("", max_length=500)


class AdjustmentIn(RequestBody):
    amount_fen: SignedFen = Field(description="Positive adds to the budget, negative takes away")
    document_no: str = DocumentNo
    adjusted_on: date
    reason: str = Field(min_length=1, max_length=500, description="调整原因")


class BudgetEntryOut(BaseModel):
    entry_id: uuid.UUID
    kind: EntryKind
    amount_fen: int = Field(description="Signed: what the entry added to the budget")
    document_no: str | None
    effective_on: date
    memo: str
    reverses_id: uuid.UUID | None
    created_at: datetime
    created_by: str


class BudgetOut(BaseModel):
    fiscal_year: int
    appropriated_fen: int = Field(description="预算总额: appropriations and adjustments")
    awarded_fen: int = Field(description="已批奖补: awards decided (gross, before releases)")
    available_fen: int = Field(description="可用余额: not yet awarded")
    paid_fen: int = Field(description="已拨付: payments confirmed on this year's awards")
    execution_rate_percent: str = Field(description="预算执行率: paid / appropriated, 1 decimal")
    entries: list[BudgetEntryOut]
