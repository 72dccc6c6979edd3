"""Recovery requests and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.subsidy.money import PositiveFen
from services.subsidy.recoveries.models import CaseStatus, RecoveryGround, SettlementKind
from shared.contracts.jurisdictions import JurisdictionCode
from shared.request_body import RequestBody


class MisuseCaseIn(RequestBody):
    """The bureau's finding that funds were not used as the rules require."""

    space_id: uuid.UUID
    amount_fen: PositiveFen = Field(description="The determined amount; at most what was paid")
    legal_basis: str = Field(min_length=1, max_length=500, description="依据: the clause relied on")
    document_no: str = Field(min_length=1, max_length=200, description="追回决定文号")
    determined_on: date
    due_on: date = Field(description="缴回期限: on or after determined_on")


class RepaymentIn(RequestBody):
    amount_fen: PositiveFen = Field(description="At most what is outstanding; partial allowed")
    repaid_on: date
    reference: str = Field(min_length=1, max_length=200, description="缴款凭证号")


class OffsetIn(RequestBody):
    award_id: uuid.UUID = Field(description="An approved award of the same operator")
    amount_fen: PositiveFen
    offset_on: date
    document_no: str = Field(min_length=1, max_length=200, description="抵扣决定文号")


class WriteOffRequestIn(RequestBody):
    reason: str = Field(min_length=1, max_length=500, description="核销理由")


class SettlementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: SettlementKind
    amount_fen: int
    settled_on: date
    reference: str
    entry_id: uuid.UUID = Field(description="The ledger entry; reverse it to correct a mistake")
    disbursement_id: uuid.UUID | None
    approved_by: str | None
    created_at: datetime
    created_by: str
    reversed_by_entry_id: uuid.UUID | None = None


class CaseOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    jurisdiction_code: JurisdictionCode
    operator_id: uuid.UUID | None
    ground: RecoveryGround
    legal_basis: str
    document_no: str
    determined_on: date
    due_on: date
    event_id: uuid.UUID | None
    status: CaseStatus
    overdue: bool = Field(description="Past its due date with something outstanding")
    determined_fen: int = Field(description="应追回: everything claimed back on the case")
    outstanding_fen: int
    recovered_fen: int = Field(description="Repaid or offset")
    written_off_fen: int
    created_at: datetime
    created_by: str
    write_off_requested_at: datetime | None
    write_off_requested_by: str | None
    write_off_reason: str | None
    settlements: list[SettlementOut]
