"""The bureau's status acts as the API takes them, and status records and standing as shown."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.status.models import StatusAct
from shared.contracts.events import RevocationReason
from shared.contracts.spaces import SpaceStatus
from shared.request_body import RequestBody

DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Remarks = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LegalBasis = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

EFFECTIVE_ON = (
    "The date the act takes effect (China time): not in the future, and not before the "
    "status in force began"
)


class _Act(RequestBody):
    effective_on: date = Field(description=EFFECTIVE_ON)
    document_no: DocumentNo = Field(
        description="文号: the bureau's document, e.g. 兰科发〔2026〕12号"
    )
    remarks: Remarks | None = Field(None, description="Anything the record should say besides")


class RecognitionCreate(_Act):
    """认定: applicant -> recognised; the space becomes a municipal maker space (市级)."""


class RectificationCreate(_Act):
    """限期整改: recognised -> under_rectification (e.g. after a failed annual assessment)."""

    deadline: date = Field(description="整改期限: the last day to rectify, not before effective_on")


class RectificationEndCreate(_Act):
    """整改完成: under_rectification -> recognised."""


class RevocationCreate(_Act):
    """取消认定: recognised or under_rectification -> revoked; ends the municipal level."""

    reason: RevocationReason = Field(
        description="false_materials 弄虚作假等不正当手段 | failed_assessments 连续两年考核不合格 "
        "| other"
    )
    legal_basis: LegalBasis = Field(description="The clause of the Measures relied on")


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    seq: int = Field(description="1 for registration, then one per act, in order")
    act: StatusAct
    status: SpaceStatus = Field(description="The status from effective_on")
    effective_on: date
    document_no: str | None
    deadline: date | None = Field(validation_alias="rectification_deadline")
    reason: RevocationReason | None = Field(validation_alias="revocation_reason")
    legal_basis: str | None
    remarks: str | None
    recorded_at: datetime
    recorded_by: str


class RectificationOut(BaseModel):
    """A space under rectification (限期整改) and how its deadline stands today."""

    space_id: uuid.UUID
    space_name: str
    jurisdiction_code: str
    status_change_id: uuid.UUID = Field(description="The rectification's status record")
    effective_on: date
    document_no: str | None
    deadline: date = Field(description="整改期限: the last day to rectify")
    overdue: bool = Field(description="The deadline has passed (China time)")
    days_overdue: int = Field(description="Days since the deadline; 0 when not overdue")
    assessment_id: uuid.UUID | None = Field(
        description="The 不合格 result it follows from, if it does"
    )
    assessment_year: int | None
