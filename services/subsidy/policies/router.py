"""HTTP for the award policies: what each award is worth in a year, with the content hash.

Any authenticated caller reads them, a district officer and an auditor included: a policy is
the bureau's published standard (law as data), it holds nothing of any district, and a
district needs it to propose an award it may expect.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.subsidy.policies import service
from services.subsidy.policies.schemas import (
    AwardPolicyDetail,
    AwardPolicySummary,
    detail,
    summary,
)
from shared.auth import Principal, authenticated
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute

router = APIRouter(
    prefix="/v1",
    tags=["award policies · 奖补标准"],
    route_class=TransactionalRoute,
    responses=problem_responses(401),
)


@router.get(
    "/award-policies",
    response_model=list[AwardPolicySummary],
    summary="Award policies, by fiscal year · 奖补标准",
    description="Every policy the service decides amounts by, one per fiscal year. Readable "
    "by every role: the standards are published law-as-data and hold nothing of any district.",
)
async def list_policies(
    _principal: Annotated[Principal, Depends(authenticated)],
) -> list[AwardPolicySummary]:
    return [summary(loaded) for loaded in service.all_policies()]


@router.get(
    "/award-policies/{policy_id}",
    response_model=AwardPolicyDetail,
    summary="An award policy: kinds, amounts, caps, basis · 奖补标准详情",
    responses=problem_responses(404),
)
async def get_policy(
    policy_id: str, _principal: Annotated[Principal, Depends(authenticated)]
) -> AwardPolicyDetail:
    return detail(service.get(policy_id))
