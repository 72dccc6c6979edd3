"""Incidents and listings as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.facts import IncidentKind, ListKind, Severity
from shared.request_body import RequestBody

Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class IncidentCreate(RequestBody):
    kind: IncidentKind = Field(
        description="safety 安全事故 | quality 质量事故 | environmental 环境违法 | "
        "research_misconduct 科研失信"
    )
    severity: Severity = Field(description="major 重大 | serious 严重 | ordinary 一般")
    occurred_on: date = Field(description="Not in the future")
    description: Description = Field(description="What happened, and the document recording it")


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    kind: IncidentKind
    severity: Severity
    occurred_on: date
    description: str
    created_at: datetime
    created_by: str


class ListingCreate(RequestBody):
    list_kind: ListKind = Field(
        description="abnormal_operation 经营异常名录 | serious_violation 严重违法失信企业名单"
    )
    listed_on: date = Field(description="列入日期: not in the future")
    reason: Reason = Field(description="The listing authority's reason and document")


class ListingRemoval(RequestBody):
    removed_on: date = Field(description="移出日期: not in the future, not before listed_on")
    reason: Reason | None = Field(None, description="移出原因: why it was removed, if recorded")
    document_id: uuid.UUID | None = Field(
        None,
        description="The id of the registry document of this space that supports it (the "
        "authority's decision; POST /v1/spaces/{id}/documents first), if any",
    )


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    list_kind: ListKind
    listed_on: date
    reason: str
    removed_on: date | None = Field(description="Set once; null while still listed")
    removal_reason: str | None = Field(description="Why it was removed, if recorded")
    removal_document_id: uuid.UUID | None = Field(
        description="The document supporting the removal, if named"
    )
    created_at: datetime
    created_by: str


class IncidentFilters(BaseModel):
    kind: IncidentKind | None = None


class ListingFilters(BaseModel):
    list_kind: ListKind | None = None
    current: bool | None = None
