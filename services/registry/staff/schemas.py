"""Staff members as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.request_body import RequestBody

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
StaffRole = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Qualifications = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]

DepartureReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class StaffCreate(RequestBody):
    name: PersonName
    role: StaffRole = Field(description="The post held, e.g. 运营经理, 创业导师")
    qualifications: Qualifications | None = Field(
        None,
        description="Professional knowledge and skills (C5), e.g. 中级经济师; 孵化器从业人员培训",
    )
    started_on: date = Field(
        description="The first day (not in the future; may precede the space's opening, "
        "since staff prepare a space before it opens)"
    )


class StaffDeparture(RequestBody):
    ended_on: date = Field(description="The last day: not in the future, not before started_on")
    reason: DepartureReason | None = Field(None, description="Why the member left, if recorded")
    document_id: uuid.UUID | None = Field(
        None,
        description="The id of the registry document of this space that supports it (POST "
        "/v1/spaces/{id}/documents first), if any",
    )


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    name: str
    role: str
    qualifications: str | None
    started_on: date
    ended_on: date | None = Field(description="Set once when the member leaves; null while serving")
    departure_reason: str | None = Field(description="Why the member left, if recorded")
    departure_document_id: uuid.UUID | None = Field(
        description="The document supporting the departure, if named"
    )
    created_at: datetime
    created_by: str


class StaffFilters(BaseModel):
    serving: bool | None = None
