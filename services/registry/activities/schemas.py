"""Activities as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.activities.models import MAX_ATTENDANCE, ActivityKind
from shared.request_body import RequestBody

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ActivityCreate(RequestBody):
    kind: ActivityKind
    title: Title = Field(description="e.g. 第三期创业训练营")
    held_on: date = Field(
        description="The day it was held (the first day, for a multi-day camp): not in the "
        "future, not before the space began operating"
    )
    attendance: int = Field(ge=0, le=MAX_ATTENDANCE, description="人次: attendances counted")


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    kind: ActivityKind
    title: str
    held_on: date
    attendance: int
    created_at: datetime
    created_by: str


class ActivityFilters(BaseModel):
    year: int | None = None
    kind: ActivityKind | None = None
