"""What the registry tells other services happened to a space (its outbox), as they receive it.

Each event has an ``event_id`` chosen once by the registry: a receiver records the ids it has
handled and ignores a redelivery, so an event delivered five times has one effect. Events are
facts about the past; they carry the date of the act and its document, never a command.
Every event names the space's jurisdiction at the time it was recorded (after a move, the new
one); each type's docstring says when the registry records it and what the subsidy service does
with it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.assessment import AssessmentGrade
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceLevel
from shared.request_body import instant_text, iso_date


class RevocationReason(StrEnum):
    """Why recognition was revoked (取消认定); the subsidy service recovers funds for the first."""

    FALSE_MATERIALS = "false_materials"  # 弄虚作假等不正当手段取得认定
    FAILED_ASSESSMENTS = "failed_assessments"  # 连续两年考核不合格
    OTHER = "other"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID = Field(description="Unique per event; redeliveries repeat it")
    occurred_on: date = Field(description="The date of the act (China time)")
    recorded_at: datetime = Field(description="When the registry recorded it (UTC)")
    space_id: uuid.UUID
    jurisdiction_code: JurisdictionCode
    form: SpaceForm
    document_no: str = Field(min_length=1, max_length=200, description="The act's document")

    # As the contract writes them: a date as YYYY-MM-DD, an instant as text, never a number
    # (Pydantic's lax mode reads one as seconds since 1970).
    _date_as_text = field_validator("occurred_on", mode="before")(iso_date)
    _instant_as_text = field_validator("recorded_at", mode="before")(instant_text)


class SpaceRecognised(_Event):
    """The space became a municipal maker space (市级众创空间).

    Recorded by the recognition act. The subsidy service proposes the policy's recognition award.
    """

    type: Literal["space.recognised"] = "space.recognised"


class SpaceLevelRecorded(_Event):
    """The bureau recorded a provincial level or a national filing for the space.

    The subsidy service proposes the award its policy gives for that level, if any.
    """

    type: Literal["space.level_recorded"] = "space.level_recorded"
    level: SpaceLevel


class SpaceAssessed(_Event):
    """The space's annual assessment (年度考核) was graded, or a grade was corrected.

    A correction is a new event with the corrected grade: a receiver keeps the latest for a
    space and year. The subsidy service proposes the award its policy gives for the grade (优秀).
    A 不合格 result is followed, in the same transaction, by ``space.rectification_ordered``
    or, for the second consecutive failed year, by ``space.revoked``.
    """

    type: Literal["space.assessed"] = "space.assessed"
    year: int = Field(ge=2015, le=2100)
    grade: AssessmentGrade


class SpaceRevoked(_Event):
    """Recognition was revoked (取消认定); final.

    Recorded by the bureau's revocation act, or by the registry itself when a second
    consecutive 不合格 year is recorded (reason ``failed_assessments``). The subsidy service
    cancels what was not paid and, for ``false_materials``, opens a recovery case for what was.
    """

    type: Literal["space.revoked"] = "space.revoked"
    reason: RevocationReason
    legal_basis: str = Field(min_length=1, max_length=500, description="The clause relied on")


class SpaceRectificationOrdered(_Event):
    """The space was put under rectification (限期整改) until ``deadline``.

    Recorded by the bureau's rectification act or, with ``assessment_year``, by a recorded
    不合格 result. The space stays a municipal maker space; the subsidy service records it.
    """

    type: Literal["space.rectification_ordered"] = "space.rectification_ordered"
    deadline: date = Field(description="整改期限: the last day to rectify")
    assessment_year: int | None = Field(
        None, ge=2015, le=2100, description="The failed year it follows from, if any"
    )

    _deadline_as_text = field_validator("deadline", mode="before")(iso_date)


class SpaceRectificationEnded(_Event):
    """The bureau ended the space's rectification (整改完成): it is recognised again.

    The subsidy service records it.
    """

    type: Literal["space.rectification_ended"] = "space.rectification_ended"


class SpaceMoved(_Event):
    """The bureau moved the space to another jurisdiction (属地变更) from ``occurred_on``.

    ``jurisdiction_code`` is the new one (``to_code``). ``move_no`` numbers the space's moves
    from 1, so a receiver knows the latest whatever order they arrive in. From then on the
    subsidy service shows the space's awards, payments, recovery cases and statement to the
    new jurisdiction only; the records themselves keep the jurisdiction they were made in.
    """

    type: Literal["space.moved"] = "space.moved"
    from_code: JurisdictionCode = Field(description="The jurisdiction it left")
    to_code: JurisdictionCode = Field(description="The jurisdiction now managing it")
    move_no: int = Field(
        ge=1, le=100_000, description="1 for the space's first move, then one more each"
    )

    @model_validator(mode="after")
    def _moves_somewhere(self) -> SpaceMoved:
        if self.from_code == self.to_code:
            raise ValueError("from_code and to_code are the same: a move goes somewhere else")
        if self.jurisdiction_code != self.to_code:
            raise ValueError("jurisdiction_code is the space's new jurisdiction: to_code")
        return self


class ApplicationDecision(StrEnum):
    APPROVED = "approved"  # 审定通过
    REJECTED = "rejected"  # 审定不通过


class ApplicationDecided(_Event):
    """The bureau's meeting (局务会) decided an application for recognition (审定);
    ``document_no`` is the meeting minutes' number."""

    type: Literal["application.decided"] = "application.decided"
    application_id: uuid.UUID
    decision: ApplicationDecision


class PublicityOpened(_Event):
    """An approved application was put to publicity (公示); ``document_no`` is the notice's
    number, ``occurred_on`` its first day."""

    type: Literal["application.publicity_opened"] = "application.publicity_opened"
    application_id: uuid.UUID
    ends_on: date = Field(description="The last day of the 5 working days, as computed then")

    _end_as_text = field_validator("ends_on", mode="before")(iso_date)


class PublicityClosed(_Event):
    """The application's publicity ended (公示期满); ``document_no`` is the notice's number."""

    type: Literal["application.publicity_closed"] = "application.publicity_closed"
    application_id: uuid.UUID


RegistryEvent = Annotated[
    SpaceRecognised
    | SpaceLevelRecorded
    | SpaceAssessed
    | SpaceRevoked
    | SpaceRectificationOrdered
    | SpaceRectificationEnded
    | SpaceMoved
    | ApplicationDecided
    | PublicityOpened
    | PublicityClosed,
    Field(discriminator="type"),
]
