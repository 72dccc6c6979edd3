"""HTTP for the facts read model: what the eligibility service judges."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers
from services.registry.facts import service
from shared.auth import Principal
from shared.contracts.facts import SpaceFacts
from shared.errors import problem_responses
from shared.request_body import IsoDate
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/facts",
    tags=["facts · 认定事实"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


@router.get(
    "",
    response_model=SpaceFacts,
    summary="A space's facts as of a date · 认定事实",
    description=(
        "The space's facts as of the end of `as_of` (China time), assembled from what the "
        "registry records, for the eligibility service to judge. Each condition (premises, "
        "online platform, facilities, management rules, services, financing, "
        "specialisation) is the version in force that day; a fact not recorded by then is "
        "null, and the eligibility service names it as missing. Without `as_of`, today (China "
        "time), as every registry read that takes a date."
    ),
)
async def get_facts(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="The date the facts describe (China time): not before the space "
            "opened, not in the future; today if omitted. The answer's `as_of` names it"
        ),
    ] = None,
) -> SpaceFacts:
    return await service.get_facts(session, principal, space_id, as_of)
