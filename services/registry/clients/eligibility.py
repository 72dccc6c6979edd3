"""The registry's client of the eligibility service: it has a space's facts judged.

Only what the registry keeps of a receipt is read from the answer (its id, the ruleset and
its hash, the verdict and each condition's verdict); the receipt itself stays with the
eligibility service, at ``GET /v1/evaluations/{id}``.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.contracts.facts import SpaceFacts
from shared.http_client import ServiceClient


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RulesetRef(_Read):
    id: str
    content_hash: str


class ConditionVerdict(_Read):
    id: str
    verdict: str


class Decision(_Read):
    verdict: str
    application_date: date
    ruleset: RulesetRef
    conditions: list[ConditionVerdict]


class EvaluationReceipt(_Read):
    """What the registry reads of an eligibility decision receipt."""

    id: uuid.UUID
    decision: Decision

    @property
    def verdicts(self) -> dict[str, str]:
        """Each condition's verdict by its id (C1 ... C9, S1 ...)."""
        return {condition.id: condition.verdict for condition in self.decision.conditions}

    def criteria(self, verdict: str) -> list[str]:
        """The ids of the conditions with ``verdict``, in the receipt's order."""
        return [c.id for c in self.decision.conditions if c.verdict == verdict]


class AssessmentScore(_Read):
    """What the registry reads of an assessment score: the scheme, the score and the grade."""

    verdict: str  # graded | incomplete
    year: int
    scheme: RulesetRef
    score: Decimal | None
    grade: AssessmentGrade | None
    missing_facts: list[str]


class AssessmentScoreReceipt(_Read):
    """An assessment receipt of the eligibility service (GET /v1/assessments/{id} there)."""

    id: uuid.UUID
    result: AssessmentScore


class EligibilityClient(ServiceClient):
    async def score_assessment(self, facts: AssessmentFacts) -> AssessmentScoreReceipt:
        """Score a year's facts with that year's assessment scheme and keep the receipt there.

        Not retried, as ``evaluate``: a lost answer leaves at most an unreferenced receipt.
        """
        response = await self.request(
            "POST", "/v1/assessments", json={"facts": facts.model_dump(mode="json")}
        )
        return AssessmentScoreReceipt.model_validate(response.json())

    async def evaluate(self, facts: SpaceFacts) -> EvaluationReceipt:
        """Judge ``facts`` on their own date (the application date) and keep the receipt there.

        Not retried (a POST without an idempotency key): a lost answer leaves at most an
        unreferenced receipt in the eligibility service, never a second effect here.
        """
        response = await self.request(
            "POST",
            "/v1/evaluations",
            json={
                "application_date": facts.as_of.isoformat(),
                "facts": facts.model_dump(mode="json"),
            },
        )
        return EvaluationReceipt.model_validate(response.json())
