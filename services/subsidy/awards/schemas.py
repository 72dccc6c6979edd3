"""Award requests and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.subsidy.awards.models import AwardKind, AwardStatus, ProposalStatus, RequestStatus
from services.subsidy.money import PositiveFen
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm
from shared.request_body import RequestBody


class AwardIn(RequestBody):
    space_id: uuid.UUID
    kind: AwardKind
    amount_fen: PositiveFen | None = Field(
        None,
        description="Fixed-amount kinds take the policy's amount (give it or leave it out); "
        "capped kinds (operating subsidy) need the determined amount, at most the cap",
    )
    decision_document_no: str = Field(min_length=1, max_length=200, description="奖补决定文号")
    decided_on: date = Field(description="The decision's date: the space must be recognised on it")


class AwardRequestIn(RequestBody):
    """A request for an award (奖补申请): the bureau or finance decides it; it reserves nothing."""

    space_id: uuid.UUID
    kind: AwardKind
    amount_fen: PositiveFen | None = Field(
        None,
        description="Fixed-amount kinds take the policy's amount (give it or leave it out); "
        "capped kinds (operating subsidy) need the amount asked for, at most the cap",
    )
    reason: str = Field(
        min_length=1, max_length=500, description="Why the award is asked for (申请理由)"
    )


class RequestDecision(RequestBody):
    decision_document_no: str = Field(min_length=1, max_length=200, description="奖补决定文号")
    decided_on: date = Field(description="The decision's date: the space must be recognised on it")
    amount_fen: PositiveFen | None = Field(
        None,
        description="Fixed-amount kinds: the policy's amount (give it or leave it out). Capped "
        "kinds: the amount decided, at most the cap; left out, the amount asked for",
    )


class ProposalConfirmation(RequestBody):
    decision_document_no: str = Field(min_length=1, max_length=200)
    decided_on: date


class Reason(RequestBody):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the record")


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    space_name: str
    jurisdiction_code: JurisdictionCode
    operator_id: uuid.UUID | None
    space_form: SpaceForm
    kind: AwardKind
    fiscal_year: int
    amount_fen: int
    policy_id: str = Field(description="The award policy the amount was decided under")
    policy_content_hash: str | None = Field(
        description="That policy's content hash at the decision (as `GET "
        "/v1/award-policies/{policy_id}` shows it); null: decided before policies were recorded "
        "with their hash, so which version of the file applied is not known"
    )
    decision_document_no: str
    decided_on: date
    proposal_id: uuid.UUID | None
    status: AwardStatus
    created_at: datetime
    created_by: str
    approved_at: datetime | None
    approved_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    undisbursed_fen: int = Field(description="Not yet instructed for payment")
    in_transit_fen: int = Field(description="Instructed, not yet confirmed")
    paid_fen: int = Field(description="Confirmed paid (including tranches offset)")


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    event_document_no: str
    occurred_on: date
    space_id: uuid.UUID
    jurisdiction_code: JurisdictionCode
    space_form: SpaceForm
    kind: AwardKind
    fiscal_year: int
    amount_fen: int = Field(description="What the policy of the event's year gives")
    policy_id: str
    status: ProposalStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decline_reason: str | None
    award_id: uuid.UUID | None = None


class AwardRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    space_name: str
    jurisdiction_code: JurisdictionCode
    space_form: SpaceForm
    kind: AwardKind
    fiscal_year: int = Field(description="The year of the request, whose policy priced it")
    amount_fen: int = Field(
        description="What that policy gives; for a capped kind, the amount asked for. Nothing "
        "of it is reserved"
    )
    policy_id: str
    reason: str
    status: RequestStatus
    created_at: datetime
    created_by: str
    award_id: uuid.UUID | None = Field(description="The award decided on it")
    decided_at: datetime | None
    decided_by: str | None
    decline_reason: str | None
