"""Award policies as the API shows them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.subsidy.awards.models import AwardKind
from services.subsidy.policies.loader import LoadedPolicy
from shared.contracts.spaces import SpaceForm

HASH_DESCRIPTION = (
    "SHA-256 (hex) of what the policy file says: its TOML document as JSON with sorted keys, "
    "no spaces, UTF-8 (comments and layout do not count). Recompute it from the file to check "
    "that this is the policy applied"
)


class AwardPolicySummary(BaseModel):
    id: str
    fiscal_year: int = Field(description="The fiscal year whose awards it decides")
    example: bool = Field(description="True: example amounts, not the bureau's")
    title: str
    content_hash: str = Field(description=HASH_DESCRIPTION)


class KindRule(BaseModel):
    kind: AwardKind
    name_zh: str
    name_en: str
    amount_rule: Literal["fixed", "capped"] = Field(
        description="fixed: the award is exactly `amount_fen`; capped: determined case by case, "
        "at most `max_amount_fen`"
    )
    amount_fen: dict[SpaceForm, int] | None = Field(
        description="The fixed amount per space form, in fen"
    )
    max_amount_fen: dict[SpaceForm, int] | None = Field(
        description="The cap per space form, in fen"
    )
    proposed_on: str | None = Field(
        description="The registry event that puts this award on the worklist "
        "(`/v1/award-proposals`); null: only decided or requested by hand"
    )


class AwardPolicyDetail(AwardPolicySummary):
    basis: str = Field(description="What sets these amounts (依据)")
    kinds: list[KindRule]


def summary(loaded: LoadedPolicy) -> AwardPolicySummary:
    policy = loaded.policy
    return AwardPolicySummary(
        id=policy.id,
        fiscal_year=policy.fiscal_year,
        example=policy.example,
        title=policy.title,
        content_hash=loaded.content_hash,
    )


def detail(loaded: LoadedPolicy) -> AwardPolicyDetail:
    policy = loaded.policy
    return AwardPolicyDetail(
        **summary(loaded).model_dump(),
        basis=policy.basis,
        kinds=[
            KindRule(
                kind=kind,
                name_zh=rule.name_zh,
                name_en=rule.name_en,
                amount_rule="fixed" if rule.amount_fen is not None else "capped",
                amount_fen=rule.amount_fen,
                max_amount_fen=rule.max_amount_fen,
                proposed_on=rule.proposed_on,
            )
            for kind in AwardKind
            if (rule := policy.kind(kind)) is not None
        ],
    )
