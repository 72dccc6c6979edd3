"""Spaces as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.registry.spaces.models import SpaceChangeKind
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus, SpaceSummary
from shared.request_body import RequestBody

SpaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

ADDRESS = (
    "地址: where the space is. Optional, so clients written before it existed keep working; "
    "a space without one can be given one later with PATCH"
)
OPERATOR = "运营主体: the operator running it, in the space's jurisdiction"


class SpaceCreate(RequestBody):
    name: SpaceName = Field(description="The space's name, e.g. 西软众创空间")
    jurisdiction_code: JurisdictionCode = Field(description="属地: the managing jurisdiction")
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date = Field(description="The date the space began operating (not in the future)")
    operator_id: uuid.UUID | None = Field(None, description=OPERATOR)
    address: Address | None = Field(None, description=ADDRESS)


class SpaceUpdate(RequestBody):
    """A correction: only the fields sent change, and the space gets a new version."""

    name: SpaceName | None = Field(None, description="Unique within the space's jurisdiction")
    address: Address | None = Field(None, description="地址")
    form: SpaceForm | None = None
    profile: SpaceProfile | None = None
    opened_on: date | None = Field(
        None,
        description="Not in the future, and not after any record dated from it "
        "(a team joining, an activity, a status act, a level, a jurisdiction change)",
    )
    operator_id: uuid.UUID | None = Field(None, description=OPERATOR)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        # Omit a field to leave it as it is; null would erase a recorded fact.
        if value is None:
            raise ValueError("may not be null; omit the field to leave it unchanged")
        return value


class SpaceOut(SpaceSummary):
    model_config = ConfigDict(from_attributes=True)

    operator_id: uuid.UUID | None = Field(description="运营主体, if recorded")
    address: str | None = Field(description="地址, if recorded")
    version: int = Field(description="Starts at 1; each change adds one. The ETag carries it.")
    status: SpaceStatus = Field(description="The status in force now")
    status_since: date = Field(description="The date the current status took effect")
    created_at: datetime
    created_by: str


class SpaceFilters(BaseModel):
    jurisdiction_code: JurisdictionCode | None = None
    form: SpaceForm | None = None
    profile: SpaceProfile | None = None
    status: SpaceStatus | None = None
    q: str | None = Field(None, description="Part of the name (already stripped, not blank)")


class SpaceVersionOut(BaseModel):
    """One state a space has had: what changed, who recorded it and from when."""

    model_config = ConfigDict(from_attributes=True)

    space_id: uuid.UUID
    version: int
    kind: SpaceChangeKind = Field(description="registered, correction or jurisdiction_change")
    changed: list[str] = Field(description="The fields this version changed (none for the first)")
    valid_from: datetime = Field(description="When this version became the current one")
    recorded_by: str
    name: str
    address: str | None
    jurisdiction_code: JurisdictionCode
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date
    operator_id: uuid.UUID | None

    @field_validator("changed", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [name for name in value.split(",") if name]
        return value


class JurisdictionChangeCreate(RequestBody):
    """属地变更: the bureau moves a space to another jurisdiction from a date."""

    jurisdiction_code: JurisdictionCode = Field(description="The new managing jurisdiction")
    effective_on: date = Field(
        description="Not in the future, not before the space opened, not before its last move"
    )
    document_no: DocumentNo = Field(description="文号: the document deciding the move")
    reason: Reason
    operator_id: uuid.UUID | None = Field(
        None,
        description="An operator of the new jurisdiction to run the space from now on; needed "
        "when its current operator is not in the new jurisdiction",
    )


class JurisdictionChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    seq: int
    from_code: JurisdictionCode
    to_code: JurisdictionCode
    effective_on: date
    document_no: str
    reason: str
    operator_id_before: uuid.UUID | None
    operator_id_after: uuid.UUID | None
    recorded_at: datetime
    recorded_by: str
