"""What a rule finds: structured first; the bilingual text is generated from the structure."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Verdict(StrEnum):
    MET = "met"  # 符合
    NOT_MET = "not_met"  # 不符合
    NEEDS_REVIEW = "needs_review"  # 需人工审核
    MISSING_FACTS = "missing_facts"  # 缺少事实
    NOT_APPLICABLE = "not_applicable"  # 不适用


class OverallVerdict(StrEnum):
    ELIGIBLE = "eligible"  # 符合认定条件
    NOT_ELIGIBLE = "not_eligible"  # 不符合认定条件
    NEEDS_REVIEW = "needs_review"  # 无不符合项，但需人工审核
    INCOMPLETE = "incomplete"  # 事实不全


class ParameterUsed(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    value: Any
    unit: str


class Shortfall(BaseModel):
    """How far a fact falls from its threshold, in the threshold's unit."""

    model_config = ConfigDict(frozen=True)

    actual: Any
    required: Any
    unit: str
    gap: Any = Field(description="required − actual (a number, or the items lacking)")


class Finding(BaseModel):
    """One test inside a condition: which facts, which parameter, what came out."""

    model_config = ConfigDict(frozen=True)

    code: str
    verdict: Verdict
    facts: dict[str, Any] = Field(default_factory=dict)
    parameter: ParameterUsed | None = None
    shortfall: Shortfall | None = None
    missing_facts: list[str] = Field(default_factory=list)
    explanation_zh: str = ""
    explanation_en: str = ""


def combine(verdicts: list[Verdict]) -> Verdict:
    """A condition's verdict from its findings: any miss decides, then any gap, then any doubt."""
    for verdict in (Verdict.NOT_MET, Verdict.MISSING_FACTS, Verdict.NEEDS_REVIEW):
        if verdict in verdicts:
            return verdict
    return Verdict.MET


def jsonable(value: Any) -> Any:
    """Facts as they are recorded in a receipt: decimals as plain strings, sets sorted."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
