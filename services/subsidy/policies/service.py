"""The published award policies (奖补标准): every policy the service decides amounts by."""

from __future__ import annotations

from services.subsidy.policies.loader import LoadedPolicy, shipped
from shared.errors import NotFound


class AwardPolicyNotFound(NotFound):
    slug = "award-policy-not-found"


def all_policies() -> list[LoadedPolicy]:
    return shipped().all()


def get(policy_id: str) -> LoadedPolicy:
    loaded = shipped().get(policy_id)
    if loaded is None:
        raise AwardPolicyNotFound(
            "No award policy with that id; GET /v1/award-policies lists them",
            policy_id=policy_id[:60],
        )
    return loaded
