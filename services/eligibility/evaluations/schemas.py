"""Requests and answers of the evaluation endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.eligibility.engine.evaluate import Decision
from services.eligibility.engine.outcome import OverallVerdict, Verdict
from shared.contracts.facts import SpaceFacts

MAX_BATCH = 10_000
# The dates a decision may be asked for: wide enough for any what-if, narrow enough that every
# rule's look-back (whole calendar years, months) stays within the calendar.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)
JudgedDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    application_date: JudgedDate = Field(
        description="申报日: the date the conditions are judged on (2000-01-01 to 2100-12-31)"
    )
    facts: SpaceFacts = Field(description="the space's facts as of the application date")

    @model_validator(mode="after")
    def _facts_are_of_the_application_date(self) -> EvaluationRequest:
        if self.facts.as_of != self.application_date:
            raise ValueError(
                f"facts.as_of ({self.facts.as_of}) must be the application date "
                f"({self.application_date}): conditions are judged on the facts of "
                "that day"
            )
        return self


class WhatIfRequest(EvaluationRequest):
    ruleset_id: str = Field(description="the ruleset to apply instead of the one in force")


class Receipt(BaseModel):
    """An immutable decision receipt: what was asked, by whom, under which rules, and the answer."""

    id: uuid.UUID
    created_at: datetime
    requested_by: str
    requested_role: str
    space_id: uuid.UUID | None
    facts: SpaceFacts
    decision: Decision


class ReceiptSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    requested_by: str
    space_id: uuid.UUID | None
    jurisdiction_code: str | None
    application_date: date
    ruleset_id: str
    verdict: OverallVerdict


class Replay(BaseModel):
    receipt_id: uuid.UUID
    ruleset_id: str
    ruleset_hash: str
    identical: bool = Field(description="the pinned ruleset reproduces the stored decision exactly")
    same_outcome: bool = Field(
        description="everything but the wording is reproduced: verdicts, findings, facts used, "
        "shortfalls and missing facts. A receipt of an earlier engine whose sentences were "
        "reworded since (engine_version differs) replays not identical but with the same outcome"
    )
    differences: list[str] = Field(description="paths in the decision that differ")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[EvaluationRequest], Field(min_length=1, max_length=MAX_BATCH)]
    ruleset_id: str | None = Field(
        None,
        description="apply this ruleset to every item instead "
        "of the one in force on each item's date",
    )


class BatchItem(BaseModel):
    index: int
    space_id: uuid.UUID | None
    application_date: date
    ruleset_id: str
    verdict: OverallVerdict
    conditions: dict[str, Verdict]
    missing_facts: list[str]
    priority: bool | None
    input_hash: str


class BatchResult(BaseModel):
    counts: dict[OverallVerdict, int]
    items: list[BatchItem]


class RegistrySpaces(BaseModel):
    """Spaces whose facts the eligibility service fetches from the registry itself: the ones
    named, or every space recognised (or under rectification) on ``as_of``."""

    model_config = ConfigDict(extra="forbid")

    space_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_BATCH)] | None = None
    all_recognised: bool = Field(
        False,
        description="true: every space the registry records as a municipal maker space on "
        "as_of (recognised or under rectification), instead of space_ids",
    )
    as_of: JudgedDate = Field(
        description="the date the facts are taken on, and judged on (2000-01-01 to 2100-12-31)"
    )

    @model_validator(mode="after")
    def _one_selection(self) -> RegistrySpaces:
        if (self.space_ids is None) == (not self.all_recognised):
            raise ValueError("give either space_ids or all_recognised: true, not both")
        return self


class ImpactRequest(BaseModel):
    """Either the facts themselves (``items``) or the spaces to fetch them for (``registry``)."""

    model_config = ConfigDict(extra="forbid")

    baseline_ruleset_id: str
    candidate_ruleset_id: str
    items: Annotated[list[EvaluationRequest], Field(min_length=1, max_length=MAX_BATCH)] | None = (
        None
    )
    registry: RegistrySpaces | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ImpactRequest:
        if (self.items is None) == (self.registry is None):
            raise ValueError(
                "give either items (facts) or registry (space ids to fetch), not "
                "both and not neither"
            )
        return self


class Cause(BaseModel):
    condition: str
    baseline: Verdict
    candidate: Verdict
    findings: list[str] = Field(description="finding codes whose verdict changed")
    parameters: dict[str, dict[str, object]] = Field(
        description="parameter name -> {baseline, candidate} where the value differs"
    )


class ImpactItem(BaseModel):
    index: int
    space_id: uuid.UUID | None
    baseline: OverallVerdict
    candidate: OverallVerdict
    causes: list[Cause]


class ImpactResult(BaseModel):
    baseline_ruleset_id: str
    candidate_ruleset_id: str
    evaluated: int
    changed: int
    transitions: dict[str, int] = Field(description="'baseline -> candidate' -> count")
    items: list[ImpactItem]
