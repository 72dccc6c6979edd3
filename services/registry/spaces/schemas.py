"""Spaces as the API takes and shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceSummary

SpaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SpaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SpaceName = Field(description="The space's name, e.g. 西软众创空间")
    jurisdiction_code: JurisdictionCode = Field(description="属地: the managing jurisdiction")
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date = Field(description="The date the space began operating (not in the future)")


class SpaceOut(SpaceSummary):
    model_config = ConfigDict(from_attributes=True)

    created_at: datetime
    created_by: str


class SpaceFilters(BaseModel):
    jurisdiction_code: JurisdictionCode | None = None
    form: SpaceForm | None = None
    profile: SpaceProfile | None = None
