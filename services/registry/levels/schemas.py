"""Levels as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.spaces import SpaceLevel
from shared.request_body import RequestBody

DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class LevelCreate(RequestBody):
    """A provincial level (省级) or national filing (国家备案), from the issuing document."""

    level: SpaceLevel = Field(
        description="provincial | national_filing (municipal is made by recognition only)"
    )
    document_no: DocumentNo = Field(description="文号 of the province's or ministry's document")
    effective_on: date = Field(
        description="Held from this date: not in the future, not before the space opened"
    )


class LevelWithdrawal(RequestBody):
    """The end of a provincial level or national filing (recorded once)."""

    ended_on: date = Field(
        description="The first day the level is no longer held: not in the future, not before "
        "it took effect"
    )
    document_no: DocumentNo = Field(description="文号 of the withdrawing document")
    reason: Reason


class LevelEndOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ended_on: date = Field(description="The first day the level is no longer held")
    document_no: str
    reason: str
    recorded_at: datetime
    recorded_by: str


class LevelOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    level: SpaceLevel
    document_no: str
    effective_on: date
    recorded_at: datetime
    recorded_by: str
    ended: LevelEndOut | None = Field(description="How and when it ended; null while held")
