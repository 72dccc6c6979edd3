"""Annual assessment results as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.assessment import AssessmentGrade
from shared.request_body import RequestBody

DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
GRADE = "考核等次: 优秀 | 良好 | 合格 | 不合格"


class AssessmentCreate(RequestBody):
    year: int = Field(ge=2015, le=2100, description="考核年度: the calendar year assessed")
    grade: AssessmentGrade = Field(description=GRADE)
    document_no: DocumentNo = Field(description="文号 of the bureau's result document")
    assessed_on: date = Field(
        description="The result document's date: not in the future, not before the year "
        "assessed began; the space must be recognised (or under rectification) that day"
    )


class AssessmentCorrection(RequestBody):
    """A correction: the year's next revision, in force from now on; the old one is kept."""

    grade: AssessmentGrade = Field(description=GRADE)
    document_no: DocumentNo = Field(description="文号 of the correcting document")
    assessed_on: date = Field(
        description="The correcting document's date: not in the future, not before the "
        "result it corrects"
    )
    reason: Reason = Field(description="Why the result is corrected")


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    year: int
    revision: int = Field(description="1 for the result, 2... for each correction")
    grade: AssessmentGrade
    document_no: str
    assessed_on: date
    correction_reason: str | None
    in_force: bool = Field(description="Whether this is the year's latest revision")
    recorded_at: datetime
    recorded_by: str
