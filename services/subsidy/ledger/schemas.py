"""Ledger answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.subsidy.ledger.models import AccountKind, EntryKind, NormalSide
from shared.request_body import RequestBody


class TransferOut(BaseModel):
    line: int
    debit_account: str
    credit_account: str
    amount_fen: int


class EntryOut(BaseModel):
    seq: int = Field(description="The entry's number (in the order entries were written)")
    id: uuid.UUID
    kind: EntryKind
    effective_on: date
    fiscal_year: int | None
    space_id: uuid.UUID | None
    jurisdiction_code: str | None
    award_id: uuid.UUID | None
    disbursement_id: uuid.UUID | None
    case_id: uuid.UUID | None
    document_no: str | None
    memo: str
    reverses_id: uuid.UUID | None
    created_at: datetime
    created_by: str
    content_hash: str = Field(description="SHA-256 of the entry and its transfers")
    chain_position: int | None = Field(description="Its place in the hash chain; null until sealed")
    chain_hash: str | None
    transfers: list[TransferOut]


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: AccountKind
    normal_side: NormalSide
    fiscal_year: int | None
    award_id: uuid.UUID | None
    case_id: uuid.UUID | None
    debits_posted: int
    credits_posted: int
    balance: int


class ReversalIn(RequestBody):
    reason: str = Field(min_length=1, max_length=500, description="冲正原因")


class VerificationOut(BaseModel):
    intact: bool
    entries: int = Field(description="Entries verified in the chain")
    head_position: int | None
    head_hash: str | None = Field(description="Publish or countersign this to anchor the chain")
    unsealed: int = Field(description="Entries committed but not yet chained (sealed shortly)")
    first_bad_position: int | None
    problem: str | None
    accounts_checked: int
    accounts_mismatched: list[str]
