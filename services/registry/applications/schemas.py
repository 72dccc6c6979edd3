"""Applications, their steps and the procedure's acts as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.applications.models import (
    ApplicationAction,
    ApplicationState,
    ObjectionOutcome,
)
from shared.request_body import RequestBody

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
DocumentNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Criterion = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{1,2}$")]

EFFECTIVE_ON = (
    "The step's date of legal meaning (China time), e.g. the date of the written opinion; today "
    "if omitted. Not in the future, and not before the application's earlier steps."
)


def _effective_on() -> Any:
    return Field(None, description=EFFECTIVE_ON)


class ApplicationCreate(RequestBody):
    """A draft application of one space (the district files it for the operator)."""

    space_id: uuid.UUID


class Submission(RequestBody):
    application_date: date | None = Field(
        None,
        description="申报日 (China time): the date the conditions are judged on; today if "
        "omitted. Not in the future, not before the space opened.",
    )
    opinion: Text | None = Field(None, description="A covering note, if any")


class Opinion(RequestBody):
    """A step that needs a written opinion (推荐意见, 受理意见, reasons for a refusal)."""

    opinion: Text = Field(description="The written opinion or reason")
    document_no: DocumentNo | None = Field(None, description="文号 of the document behind it")
    effective_on: date | None = _effective_on()


class Correction(RequestBody):
    """补正: back to draft, saying what to correct."""

    opinion: Text = Field(description="Why it is returned")
    corrections: Annotated[list[Text], Field(min_length=1, max_length=50)] = Field(
        description="What to correct or supply, one item each"
    )
    document_no: DocumentNo | None = None
    effective_on: date | None = _effective_on()


class ExpertAssignment(RequestBody):
    experts: Annotated[list[ShortText], Field(min_length=1, max_length=20)] = Field(
        description="The experts' subjects (their identity-provider user ids, role expert)"
    )
    opinion: Text | None = None
    document_no: DocumentNo | None = Field(None, description="The bureau's notice organising them")
    effective_on: date | None = _effective_on()


class Judgement(StrEnum):
    MET = "met"  # 符合
    NOT_MET = "not_met"  # 不符合


class CriterionJudgement(RequestBody):
    criterion: Criterion = Field(
        description="A condition the evaluation left needs_review, e.g. C3"
    )
    judgement: Judgement
    reason: Text | None = Field(None, description="Required when the criterion is not met")


class ExpertReview(RequestBody):
    """现场考察与评审意见 of one assigned expert."""

    inspected_on: date = Field(description="The day of the on-site inspection (China time)")
    findings: Text = Field(description="What the inspection found")
    opinion: Text = Field(description="The expert's review opinion")
    judgements: Annotated[list[CriterionJudgement], Field(max_length=30)] = Field(
        description="One judgement on every criterion the submission's evaluation left "
        "needs_review, and on no other"
    )


class ReviewUnit(StrEnum):
    """The four units of the joint review (联合评审)."""

    SCIENCE_AND_TECHNOLOGY = "science_and_technology"  # 市科技局
    DEVELOPMENT_AND_REFORM = "development_and_reform"  # 市发改委
    HUMAN_RESOURCES = "human_resources"  # 市人社局
    INDUSTRY_AND_INFORMATION = "industry_and_information"  # 市工信委


class UnitView(RequestBody):
    unit: ReviewUnit
    view: Text = Field(description="The unit's view")


class JointOpinion(RequestBody):
    units: Annotated[list[UnitView], Field(min_length=1, max_length=4)] = Field(
        description="Each of the four units' view, once each"
    )
    opinion: Text = Field(description="The joint review opinion (复审意见)")
    document_no: DocumentNo | None = None
    effective_on: date | None = _effective_on()


class DecisionOutcome(StrEnum):
    APPROVED = "approved"  # 审定通过
    REJECTED = "rejected"  # 审定不通过


class Decision(RequestBody):
    """审定 at the bureau's meeting (局务会)."""

    outcome: DecisionOutcome
    meeting_date: date = Field(description="The meeting's date: not in the future")
    minutes_no: DocumentNo = Field(description="The meeting minutes' number (会议纪要号)")
    opinion: Text = Field(description="The decision's reasons")


class Withdrawal(RequestBody):
    opinion: Text = Field(description="Why the application is withdrawn")
    effective_on: date | None = _effective_on()


class PublicityCreate(RequestBody):
    """公示 of a batch of approved applications under one notice."""

    notice_no: DocumentNo = Field(description="The notice's number")
    starts_on: date = Field(description="The first day of publicity (it counts)")
    application_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)]


class PublicityClose(RequestBody):
    opinion: Text | None = None


class ReEvaluationRequest(RequestBody):
    as_of: date | None = Field(
        None, description="The date whose facts are judged (China time); today if omitted"
    )


class ObjectionCreate(RequestBody):
    raised_by: ShortText = Field(description="Who raised it (a person or organisation)")
    raised_on: date = Field(description="When it was raised: within the publicity period")
    content: Text = Field(description="What it says")
    document_ids: Annotated[list[uuid.UUID], Field(max_length=20)] = Field(
        default_factory=list, description="Attachments: documents of the space in the registry"
    )


class ObjectionResolutionCreate(RequestBody):
    outcome: ObjectionOutcome = Field(
        description="upheld 异议成立 (the application is rejected) | dismissed 异议不成立"
    )
    reason: Text
    effective_on: date | None = _effective_on()


class RecognitionBatchCreate(RequestBody):
    """认定 of a batch under one announcement."""

    application_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)]
    document_no: DocumentNo = Field(
        description="The announcement's number, e.g. 兰科发〔2026〕40号"
    )
    announced_on: date = Field(description="The announcement's date: not in the future")
    reason: Text = Field(description="Why these are recognised (mandatory)")


# ---- what the API shows


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Evaluation(BaseModel):
    receipt_id: uuid.UUID
    as_of: date
    ruleset_id: str
    ruleset_hash: str
    verdict: str
    conditions: dict[str, str] = Field(description="Each condition's verdict")


class ConditionChange(BaseModel):
    criterion: str
    at_submission: str | None
    now: str | None


class ReEvaluation(Evaluation):
    changes: list[ConditionChange] = Field(description="The conditions whose verdict changed")


class Expert(BaseModel):
    subject: str
    reviewed: bool = Field(description="Has recorded an inspection and opinion this round")


class Publicity(BaseModel):
    id: uuid.UUID
    notice_no: str
    starts_on: date
    ends_on: date | None = Field(description="The last of its working days (a clock's due date)")
    closed_on: date | None


class DueDate(BaseModel):
    """A legal clock of the application (or its publicity period)."""

    step: str
    kind: str = Field(description="statutory (法定期限) | internal (内部时限)")
    basis: str
    length_wd: int = Field(description="Working days")
    started_on: date
    due_on: date | None = Field(
        description="null while suspended (expert review, art. 45), or while the period "
        "reaches a year whose calendar is not loaded (`awaiting_calendar_year`)"
    )
    awaiting_calendar_year: int | None = Field(
        description="The year whose official calendar the due date waits for: computed when "
        "the bureau loads it (PUT /v1/calendar/{year}), never guessed"
    )
    state: str = Field(description="running | suspended | stopped")
    stopped_on: date | None
    overdue: bool


class Recognition(BaseModel):
    batch_id: uuid.UUID
    document_no: str
    announced_on: date
    plaque_no: str


class ApplicationOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    space_name: str
    jurisdiction_code: str
    state: ApplicationState
    round: int = Field(description="1, and one more after each return for correction (补正)")
    created_at: datetime
    created_by: str
    application_date: date | None
    evaluation: Evaluation | None = Field(description="The submission's evaluation")
    needs_review: list[str] = Field(description="Criteria the experts must judge")
    re_evaluation: ReEvaluation | None = Field(
        description="The latest evaluation on current facts during review, with what changed"
    )
    experts: list[Expert] = Field(description="The experts assigned this round")
    decided_on: date | None
    minutes_no: str | None
    due_dates: list[DueDate] = Field(description="The legal clocks of its steps, oldest first")
    publicity: Publicity | None
    recognition: Recognition | None
    allowed_actions: list[str] = Field(description="What may be done next, and by whom")


class StepOut(_Out):
    id: uuid.UUID
    seq: int
    round: int
    action: ApplicationAction
    from_state: ApplicationState | None
    to_state: ApplicationState
    actor_subject: str
    actor_role: str
    recorded_at: datetime
    effective_on: date
    opinion: str | None
    document_no: str | None
    details: dict[str, Any] | None
    superseded: bool = Field(
        description="Given before a return for correction (补正): kept, no longer in force"
    )


class ObjectionOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    publicity_id: uuid.UUID
    raised_by: str
    raised_on: date
    content: str
    document_ids: list[uuid.UUID]
    recorded_at: datetime
    recorded_by: str
    outcome: ObjectionOutcome | None
    reason: str | None
    resolved_on: date | None


class PublicityItem(BaseModel):
    application_id: uuid.UUID
    space_id: uuid.UUID
    space_name: str
    state: ApplicationState
    unresolved_objections: int


class PublicityOut(BaseModel):
    id: uuid.UUID
    notice_no: str
    starts_on: date
    ends_on: date | None
    working_days: int
    basis: str = Field(description="The rule and legal basis the period was computed by")
    calendar_versions: dict[int, int] = Field(description="Year -> calendar version used")
    opened_at: datetime
    opened_by: str
    closed_on: date | None
    items: list[PublicityItem]


class RecognitionPreviewItem(BaseModel):
    application_id: uuid.UUID
    space_id: uuid.UUID | None
    space_name: str | None
    state: ApplicationState | None
    outcome: str = Field(description="will_be_recognised | refused")
    plaque_no: str | None = Field(description="The plaque number it will get")
    reason: str | None = Field(description="Why it would be refused")


class RecognitionPreview(BaseModel):
    document_no: str
    announced_on: date
    items: list[RecognitionPreviewItem]
    refused: int


class RecognitionBatchOut(BaseModel):
    id: uuid.UUID
    document_no: str
    announced_on: date
    reason: str
    recorded_at: datetime
    recorded_by: str
    items: list[RecognitionPreviewItem]
