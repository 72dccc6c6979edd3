"""Time limits as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from services.registry.clocks.models import LimitKind, ProcedureStep
from shared.request_body import RequestBody

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class TimeLimitPut(RequestBody):
    """A step's time limit (a new version; the clocks already running keep theirs)."""

    kind: LimitKind = Field(description="statutory (法定期限) | internal (内部时限)")
    basis: Text = Field(
        description="The legal basis, a clause reference",
        examples=["《中华人民共和国行政许可法》第四十二条第一款"],
    )
    length_wd: int = Field(ge=1, le=250, description="Length in working days (工作日), 1-250")
    reason: Text = Field(description="Why the limit is set or changed")


class TimeLimitVersionOut(BaseModel):
    version: int
    kind: LimitKind
    basis: str
    length_wd: int
    reason: str
    recorded_at: datetime
    recorded_by: str


class TimeLimitOut(BaseModel):
    step: ProcedureStep
    current: TimeLimitVersionOut = Field(description="The limit in force for new clocks")
    versions: list[TimeLimitVersionOut] = Field(description="Every version, the latest first")


class TimeLimitSetOut(TimeLimitOut):
    changed: bool = Field(description="false when the limit sent equals the one in force")
