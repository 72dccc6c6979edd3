"""The shape of an assessment scheme file (考核评分方案); anything else in a file is an error.

A scheme says, for one year, which indicators are scored, their targets, weights and caps,
the score each grade needs, and the conditions that cap a grade whatever the score.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.contracts.facts import IncidentKind, ListKind, Severity

# The scale, not a threshold: weights share out 100 points (百分制), and no score exceeds it.
FULL_MARKS = Decimal(100)

Points = Annotated[Decimal, Field(ge=0, le=FULL_MARKS, decimal_places=2)]


class IndicatorFact(StrEnum):
    """The facts an indicator may score: the numeric indicators of ``AssessmentFacts``."""

    TRAINING_SESSIONS = "training_sessions"
    TRAINING_ATTENDANCE = "training_attendance"
    MENTORING_SESSIONS = "mentoring_sessions"
    TEAMS_IN_INCUBATION = "teams_in_incubation"
    NEW_TEAMS_ADMITTED = "new_teams_admitted"
    GRADUATED_TEAMS_REGISTERED_ENTERPRISES = "graduated_teams_registered_enterprises"
    FINANCING_OBTAINED_FEN = "financing_obtained_fen"


# A fact named here that the contract lacks would score nothing, silently: refuse to import.
assert {f.value for f in IndicatorFact} <= set(AssessmentFacts.model_fields)


class SchemeStatus(StrEnum):
    DEFAULT_EXAMPLE = "default_example"  # 示例默认方案: shipped with the system, unconfirmed
    ADOPTED = "adopted"  # 正式方案: adopted by the bureau


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"


class Indicator(_Strict):
    """One scored indicator: ``points = weight × min(actual / target, cap)``."""

    id: str = Field(pattern=_ID)
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    fact: IndicatorFact
    target: int = Field(gt=0, description="the value earning the full weight, in the fact's unit")
    weight: Decimal = Field(gt=0, le=FULL_MARKS, decimal_places=2, description="points at target")
    cap: Decimal = Field(
        ge=1,
        le=10,
        decimal_places=2,
        description="the highest multiple of the target that still earns points (1 = none above)",
    )
    basis: str = Field(min_length=1, description="why this target and weight")


class IncidentCondition(_Strict):
    kind: IncidentKind
    severity: Severity = Field(description="this severity or worse")


class When(_Strict):
    """What triggers an overriding condition: exactly one of the two, within the year."""

    incident: IncidentCondition | None = Field(
        None, description="an incident of this kind and severity occurred in the year"
    )
    listed_on: ListKind | None = Field(
        None, description="the operator was on this list on any day of the year"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.incident is None) == (self.listed_on is None):
            raise ValueError("when: give exactly one of incident or listed_on")
        return self


class OverridingCondition(_Strict):
    """An event that caps the grade whatever the score (e.g. no 优秀 after a major accident)."""

    id: str = Field(pattern=_ID)
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    grade_at_most: AssessmentGrade
    when: When

    @field_validator("grade_at_most")
    @classmethod
    def _caps_something(cls, grade: AssessmentGrade) -> AssessmentGrade:
        if grade is next(iter(AssessmentGrade)):
            raise ValueError(f"grade_at_most {grade.value} is the best grade and caps nothing")
        return grade


class GradeBand(_Strict):
    grade: AssessmentGrade
    min_score: Points = Field(
        description="the lowest score of this grade (the score itself counts)"
    )


class AssessmentScheme(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    year: int = Field(ge=2015, le=2100)
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    status: SchemeStatus
    source: str = Field(min_length=1)
    notes: str = ""
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    grade_bands: tuple[GradeBand, ...]
    overriding_conditions: tuple[OverridingCondition, ...] = ()

    @field_validator("indicators")
    @classmethod
    def _indicators_share_full_marks(
        cls, indicators: tuple[Indicator, ...]
    ) -> tuple[Indicator, ...]:
        _unique("indicator", [i.id for i in indicators])
        total = sum((i.weight for i in indicators), Decimal(0))
        if total != FULL_MARKS:
            raise ValueError(
                f"indicator weights must sum to {FULL_MARKS}; they sum to {total} "
                f"({', '.join(f'{i.id} {i.weight}' for i in indicators)})"
            )
        return indicators

    @field_validator("grade_bands")
    @classmethod
    def _bands_ordered(cls, bands: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
        grades = [b.grade for b in bands]
        if grades != list(AssessmentGrade):
            raise ValueError(
                "grade_bands must list each grade once, best first: "
                f"{', '.join(g.value for g in AssessmentGrade)}; "
                f"got {', '.join(g.value for g in grades) or 'none'}"
            )
        for higher, lower in itertools.pairwise(bands):
            if higher.min_score <= lower.min_score:
                raise ValueError(
                    f"grade_bands are not ordered: {higher.grade.value} needs "
                    f"{higher.min_score}, not more than {lower.grade.value}'s {lower.min_score}"
                )
        if bands[-1].min_score != 0:
            raise ValueError(
                f"the lowest grade {bands[-1].grade.value} must start at 0 so every score "
                f"has a grade; it starts at {bands[-1].min_score}"
            )
        return bands

    @field_validator("overriding_conditions")
    @classmethod
    def _conditions_unique(
        cls, conditions: tuple[OverridingCondition, ...]
    ) -> tuple[OverridingCondition, ...]:
        _unique("overriding condition", [c.id for c in conditions])
        return conditions


def _unique(what: str, ids: list[str]) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{what} ids must be unique; repeated: {', '.join(repeated)}")
