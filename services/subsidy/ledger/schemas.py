"""Ledger answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.subsidy.ledger.models import AccountKind, EntryKind, NormalSide


class TransferOut(BaseModel):
    line: int
    debit_account: str
    credit_account: str
    amount_fen: int


class EntryOut(BaseModel):
    seq: int = Field(description="Position in the hash chain")
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
    prev_hash: str
    hash: str
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


class ReversalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="冲正原因")


class VerificationOut(BaseModel):
    intact: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None
    problem: str | None
    accounts_checked: int
    accounts_mismatched: list[str]
