"""Teams as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.teams.models import TeamEventKind, TeamField, TeamStatus
from shared.request_body import RequestBody

TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Generous on input: spaces and lower case are normalised away before the code is checked.
RawUscc = Annotated[str, StringConstraints(min_length=1, max_length=60)]

EndReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
DOCUMENT_DESCRIPTION = (
    "The id of the registry document of this space that supports it (POST "
    "/v1/spaces/{id}/documents first), if any"
)

USCC_DESCRIPTION = (
    "统一社会信用代码, 18 characters, checked in full (format and check character); "
    "spaces are removed and letters upper-cased"
)


class TeamCreate(RequestBody):
    name: TeamName = Field(description="The enterprise's registered name or the team's name")
    uscc: RawUscc | None = Field(None, description=f"If registered: {USCC_DESCRIPTION}")
    field: TeamField = Field(
        description="high_tech 高新技术 | modern_service 现代服务业 | other (only the first two "
        "count towards condition C3)"
    )
    joined_on: date = Field(
        description="入孵日期: not in the future, not before the space began operating"
    )


class TeamGraduation(RequestBody):
    """毕业: the team leaves having registered an enterprise."""

    graduated_on: date = Field(description="Not in the future, not before joined_on")
    registered_enterprise_name: TeamName = Field(description="The enterprise it registered")
    registered_enterprise_uscc: RawUscc | None = Field(None, description=USCC_DESCRIPTION)


class TeamExit(RequestBody):
    """退出: the team leaves without graduating."""

    exited_on: date = Field(description="Not in the future, not before joined_on")
    reason: EndReason | None = Field(None, description="Why it leaves (退出原因), if recorded")
    document_id: uuid.UUID | None = Field(None, description=DOCUMENT_DESCRIPTION)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    name: str
    uscc: str | None
    field: TeamField
    joined_on: date
    status: TeamStatus
    left_on: date | None = Field(description="The graduation or exit date")
    registered_enterprise_name: str | None
    registered_enterprise_uscc: str | None
    created_at: datetime
    created_by: str


class TeamEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: TeamEventKind
    occurred_on: date
    registered_enterprise_name: str | None
    registered_enterprise_uscc: str | None
    reason: str | None = Field(description="An exit's reason, if recorded")
    document_id: uuid.UUID | None = Field(description="An exit's supporting document, if named")
    recorded_at: datetime
    recorded_by: str


class TeamDetail(TeamOut):
    events: list[TeamEventOut] = Field(description="Every change, oldest first (append-only)")


class TeamFilters(BaseModel):
    status: TeamStatus | None = None
    field: TeamField | None = None
