"""Annual assessment results as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.status.models import StatusAct
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.contracts.events import RevocationReason
from shared.contracts.facts import Fen
from shared.request_body import RequestBody

DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
GRADE = "考核等次: 优秀 | 良好 | 合格 | 不合格"
DEADLINE = (
    "整改期限 for a 不合格 result that puts the space under rectification: the last day to "
    "rectify, not before assessed_on. Omitted: the registry's default period "
    "(REGISTRY_RECTIFICATION_DEFAULT_MONTHS, 12 months unless the bureau sets another). Only "
    "with grade 不合格"
)


class AssessmentCreate(RequestBody):
    year: int = Field(ge=2015, le=2100, description="考核年度: the calendar year assessed")
    grade: AssessmentGrade = Field(description=GRADE)
    document_no: DocumentNo = Field(description="文号 of the bureau's result document")
    assessed_on: date = Field(
        description="The result document's date: not in the future, not before the year "
        "assessed began; the space must be recognised (or under rectification) that day"
    )
    rectification_deadline: date | None = Field(None, description=DEADLINE)


class AssessmentCorrection(RequestBody):
    """A correction: the year's next revision, in force from now on; the old one is kept."""

    grade: AssessmentGrade = Field(description=GRADE)
    document_no: DocumentNo = Field(description="文号 of the correcting document")
    assessed_on: date = Field(
        description="The correcting document's date: not in the future, not before the "
        "result it corrects"
    )
    reason: Reason = Field(description="Why the result is corrected")
    rectification_deadline: date | None = Field(None, description=DEADLINE)


class AssessmentScoring(RequestBody):
    """Score the year with the eligibility service and record the grade it gives."""

    document_no: DocumentNo = Field(description="文号 of the bureau's result document")
    assessed_on: date = Field(
        description="The result document's date: not in the future, not before the year "
        "assessed began; the space must be recognised (or under rectification) that day"
    )
    financing_obtained_fen: Fen | None = Field(
        None,
        description="在孵企业和团队获得融资额 in the year, in fen: the registry does not record "
        "it, and a scheme that reads it gives no grade without it",
    )
    rectification_deadline: date | None = Field(None, description=DEADLINE)


class AssessmentConsequence(BaseModel):
    """The status act a 不合格 result gave rise to, in the transaction that recorded it."""

    act: StatusAct = Field(description="rectification 限期整改 | revocation 取消认定")
    status_change_id: uuid.UUID = Field(description="The act's record in the status history")
    effective_on: date
    document_no: str | None
    deadline: date | None = Field(description="整改期限 (rectification only)")
    reason: RevocationReason | None = Field(description="failed_assessments (revocation only)")
    prior_assessment_id: uuid.UUID | None = Field(
        description="The adjacent year's failed result (revocation only)"
    )
    prior_year: int | None


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
    score_receipt_id: uuid.UUID | None = Field(
        None, description="The eligibility service's score receipt, when scored there"
    )
    consequence: AssessmentConsequence | None = Field(
        None,
        description="The rectification or revocation this result gave rise to; none for a "
        "pass, or when the space's status called for none (already under rectification, "
        "revoked, or a correction of a year already failed)",
    )
    recorded_at: datetime
    recorded_by: str


class AssessmentIndicators(BaseModel):
    """A year's assessment indicators (考核指标) as the registry's own records give them."""

    space_id: uuid.UUID
    year: int
    through: date = Field(
        description="The last day counted: 31 December, or today (China time) for the current "
        "year, whose figures are not final"
    )
    complete: bool = Field(description="Whether the year is over")
    facts: AssessmentFacts = Field(
        description="The indicators in the eligibility service's assessment-facts contract "
        "(POST /v1/assessments there scores them with the year's scheme). From the registry: "
        "training sessions and attendance (training, salons, lectures, camps), mentoring "
        "sessions, teams in incubation at the end of `through`, teams admitted, graduations "
        "that registered an enterprise, incidents and list entries; financing is not "
        "recorded here and left out (null)"
    )
