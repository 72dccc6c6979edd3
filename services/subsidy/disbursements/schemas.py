"""Payment instruction requests and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.subsidy.disbursements.models import DisbursementMethod, DisbursementStatus
from services.subsidy.money import PositiveFen
from shared.request_body import RequestBody


class DisbursementIn(RequestBody):
    amount_fen: PositiveFen = Field(description="This tranche; at most what the award has left")
    payee_name: str = Field(min_length=1, max_length=200, description="收款单位: the operator")
    payee_account: str = Field(
        min_length=4, max_length=64, pattern=r"^[0-9A-Za-z -]+$", description="收款账号"
    )


class SendIn(RequestBody):
    bank_reference: str | None = Field(None, max_length=100, description="支付流水号, if known")


class ConfirmIn(RequestBody):
    settled_on: date = Field(description="到账日期 (not in the future)")
    bank_reference: str = Field(min_length=1, max_length=100, description="支付流水号")


class DisbursementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The payment instruction's identity, fixed before sending")
    award_id: uuid.UUID
    tranche_no: int
    amount_fen: int
    method: DisbursementMethod
    recovery_case_id: uuid.UUID | None
    payee_name: str | None
    payee_account: str | None
    status: DisbursementStatus
    created_at: datetime
    created_by: str
    sent_at: datetime | None
    sent_by: str | None
    settled_on: date | None
    bank_reference: str | None
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None
