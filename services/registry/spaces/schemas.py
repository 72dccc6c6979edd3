"""Spaces as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus, SpaceSummary

SpaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SpaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SpaceName = Field(description="The space's name, e.g. 西软众创空间")
    jurisdiction_code: JurisdictionCode = Field(description="属地: the managing jurisdiction")
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date = Field(description="The date the space began operating (not in the future)")
    operator_id: uuid.UUID | None = Field(
        None, description="运营主体: the operator running it, in the space's jurisdiction"
    )


class SpaceOut(SpaceSummary):
    model_config = ConfigDict(from_attributes=True)

    operator_id: uuid.UUID | None = Field(description="运营主体, if recorded")
    status: SpaceStatus = Field(description="The status in force now")
    status_since: date = Field(description="The date the current status took effect")
    created_at: datetime
    created_by: str


class SpaceFilters(BaseModel):
    jurisdiction_code: JurisdictionCode | None = None
    form: SpaceForm | None = None
    profile: SpaceProfile | None = None
    status: SpaceStatus | None = None
