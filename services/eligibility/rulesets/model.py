"""The shape of a ruleset file; anything else in a file is an error, never a default."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.eligibility.engine.checks import CHECKS, PRIORITY_PARAMETERS
from services.eligibility.engine.explain import yuan
from services.eligibility.engine.judge import ConditionPlan, RuleParameter
from services.eligibility.engine.outcome import ParameterUsed
from shared.contracts.spaces import SpaceForm

CONDITION_IDS = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "S1", "S2", "S3")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RulesetStatus(StrEnum):
    IN_FORCE = "in_force"  # 现行: chosen by date for real decisions
    DRAFT = "draft"  # 草案: what-if and impact analysis only, never a real decision


class Parameter(_Strict):
    value: Any = Field(description="the threshold or list, in the unit given")
    unit: str = Field(min_length=1)
    basis: str = Field(min_length=1, description="where the value comes from")


class Citation(_Strict):
    clause: str = Field(min_length=1, description="the clause reference, e.g. 认定条件第2项")
    clause_text: str = Field(min_length=1, description="the clause in Chinese, verbatim")


class ConditionRule(Citation):
    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    check: str
    applies_to: tuple[SpaceForm, ...] = Field(min_length=1)
    parameters: dict[str, Parameter] = Field(default_factory=dict)

    @cached_property
    def parameters_used(self) -> dict[str, ParameterUsed]:
        """The parameters as findings cite them, built once per loaded rule."""
        return {
            name: ParameterUsed(name=name, value=p.value, unit=p.unit)
            for name, p in self.parameters.items()
        }

    @cached_property
    def plan(self) -> ConditionPlan:
        """The rule prepared for the engine (parameters, check, words), once per loaded rule."""
        return ConditionPlan(
            id=self.id,
            title_zh=self.title_zh,
            title_en=self.title_en,
            clause=self.clause,
            clause_text=self.clause_text,
            forms=self.applies_to,
            params={name: RuleParameter.of(used) for name, used in self.parameters_used.items()},
            run=CHECKS[self.check].run,
            reads=CHECKS[self.check].reads,
        )

    @model_validator(mode="after")
    def _parameters_match_the_check(self) -> Self:
        spec = CHECKS.get(self.check)
        if spec is None:
            raise ValueError(
                f"{self.id}: no check named {self.check!r}; known: {', '.join(sorted(CHECKS))}"
            )
        _match(f"{self.id} ({self.check})", spec.parameters, self.parameters)
        return self


class PriorityRule(Citation):
    parameters: dict[str, Parameter]

    @cached_property
    def minimum(self) -> tuple[ParameterUsed, int, str]:
        """The minimum investment as findings cite it, in fen and in yuan for sentences; once
        per loaded rule."""
        p = self.parameters["min_investment"]
        used = ParameterUsed(name="min_investment", value=p.value, unit=p.unit)
        return used, int(p.value), yuan(int(p.value))

    @model_validator(mode="after")
    def _parameters_match(self) -> Self:
        _match("priority", PRIORITY_PARAMETERS, self.parameters)
        return self


def _match(where: str, declared: dict[str, str] | Any, given: dict[str, Parameter]) -> None:
    missing = sorted(set(declared) - set(given))
    unknown = sorted(set(given) - set(declared))
    if missing or unknown:
        raise ValueError(
            f"{where}: parameters missing {missing or '[]'}, unknown {unknown or '[]'}"
        )
    for name, parameter in given.items():
        if parameter.unit != declared[name]:
            raise ValueError(
                f"{where}: parameter {name} is in {declared[name]}, not {parameter.unit}"
            )
        if parameter.value is None:
            raise ValueError(f"{where}: parameter {name} has no value")


class Ruleset(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    status: RulesetStatus
    valid_from: date
    valid_to: date | None = None
    source: str = Field(min_length=1)
    notes: str = ""
    conditions: tuple[ConditionRule, ...]
    priority: PriorityRule

    @field_validator("conditions")
    @classmethod
    def _all_conditions_once(
        cls, conditions: tuple[ConditionRule, ...]
    ) -> tuple[ConditionRule, ...]:
        ids = [c.id for c in conditions]
        if sorted(ids) != sorted(CONDITION_IDS) or len(set(ids)) != len(ids):
            raise ValueError(
                f"conditions must be exactly {', '.join(CONDITION_IDS)} once each; "
                f"got {', '.join(ids)}"
            )
        return conditions

    @model_validator(mode="after")
    def _validity_ordered(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    @cached_property
    def plans(self) -> tuple[ConditionPlan, ...]:
        """Each condition's plan, in order (the engine's loop), once per loaded ruleset."""
        return tuple(condition.plan for condition in self.conditions)

    @cached_property
    def loop(self) -> tuple[tuple[ConditionPlan, frozenset[SpaceForm], Any, Any], ...]:
        """What the engine's loop reads of each plan: the plan, the forms it applies to, what
        its check reads (or None) and its explained results shared by that."""
        return tuple((p, p.forms, p.reads, p.by_reads[True]) for p in self.plans)

    @cached_property
    def refs(self) -> dict[str, Any]:
        """The engine's reference to this ruleset in a decision, by content hash."""
        return {}

    @cached_property
    def summaries(self) -> dict[tuple[Any, ...], Any]:
        """The engine's overall verdicts and summaries under this ruleset, by what they are
        made of (the conditions' verdicts and the number of facts missing)."""
        return {}

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
