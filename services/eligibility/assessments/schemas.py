"""What scoring finds, and the requests and answers of the assessment endpoints.

A result is structured first; its bilingual sentences are generated from the structure.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.assessments.model import AssessmentScheme, IndicatorFact, SchemeStatus
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade


class AssessmentVerdict(StrEnum):
    GRADED = "graded"  # 已评定: every fact the scheme reads was given
    INCOMPLETE = "incomplete"  # 事实不全: no score and no grade until the listed facts are given


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SchemeRef(_Frozen):
    id: str
    year: int
    title_zh: str
    title_en: str
    status: SchemeStatus
    content_hash: str


class IndicatorResult(_Frozen):
    """One indicator: the fact used, the rule's numbers, the points, and why."""

    id: str
    title_zh: str
    title_en: str
    fact: IndicatorFact
    facts: dict[str, Any] = Field(description="the facts used, by field name")
    target: int
    weight: Decimal
    cap: Decimal
    achievement_percent: Decimal | None = Field(
        description="actual ÷ target × 100, rounded to 0.01 (shown, not used to score)"
    )
    capped: bool = Field(description="actual reached cap × target; points stop at weight × cap")
    points: Decimal | None = Field(description="weight × min(actual ÷ target, cap), to 0.01")
    missing_facts: list[str]
    explanation_zh: str
    explanation_en: str


class OverrideResult(_Frozen):
    """One overriding condition: whether it was triggered, by what, and what it did."""

    id: str
    title_zh: str
    title_en: str
    grade_at_most: AssessmentGrade
    triggered: bool | None = Field(description="None when the facts it reads are missing")
    applied: bool = Field(description="it lowered the grade")
    facts: dict[str, Any] = Field(description="the incidents or list entries that triggered it")
    missing_facts: list[str]
    explanation_zh: str
    explanation_en: str


class AssessmentResult(_Frozen):
    verdict: AssessmentVerdict
    year: int
    scheme: SchemeRef
    engine_version: str
    input_hash: str
    indicators: list[IndicatorResult]
    points_total: Decimal | None = Field(description="the sum of the indicators' points")
    score: Decimal | None = Field(description="points_total, at most full marks (100)")
    band_grade: AssessmentGrade | None = Field(description="the grade the score alone earns")
    overriding_conditions: list[OverrideResult]
    grade: AssessmentGrade | None = Field(description="the grade after overriding conditions")
    grade_en: str | None
    missing_facts: list[str]
    summary_zh: str
    summary_en: str


class AssessmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: AssessmentFacts = Field(description="what the space did in the year assessed")


class AssessmentReceipt(BaseModel):
    """An immutable assessment receipt: what was asked, by whom, under which scheme, the answer."""

    id: uuid.UUID
    created_at: datetime
    requested_by: str
    requested_role: str
    space_id: uuid.UUID | None
    jurisdiction_code: str | None
    facts: AssessmentFacts
    result: AssessmentResult


class AssessmentReceiptSummary(BaseModel):
    id: uuid.UUID
    created_at: datetime
    requested_by: str
    space_id: uuid.UUID | None
    jurisdiction_code: str | None
    year: int
    scheme_id: str
    verdict: AssessmentVerdict
    grade: AssessmentGrade | None
    score: Decimal | None


class AssessmentReplay(BaseModel):
    receipt_id: uuid.UUID
    scheme_id: str
    scheme_hash: str
    identical: bool = Field(description="the pinned scheme reproduces the stored result exactly")
    same_outcome: bool = Field(
        description="everything but the wording is reproduced: points, score, grade, overrides "
        "and missing facts. A receipt of an earlier engine whose sentences were reworded since "
        "(engine_version differs) replays not identical but with the same outcome"
    )
    differences: list[str] = Field(description="paths in the result that differ")


class SchemeSummary(BaseModel):
    id: str
    year: int
    title_zh: str
    title_en: str
    status: SchemeStatus
    content_hash: str


class SchemeDetail(AssessmentScheme):
    content_hash: str
