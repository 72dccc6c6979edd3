"""HTTP for jurisdictions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.jurisdictions import repository
from services.registry.jurisdictions.models import Jurisdiction
from services.registry.jurisdictions.schemas import JurisdictionOut
from shared.auth import Principal, authenticated
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/jurisdictions",
    tags=["jurisdictions · 属地"],
    route_class=TransactionalRoute,
    responses=problem_responses(401),
)


@router.get(
    "", response_model=list[JurisdictionOut], summary="The eleven jurisdictions · 县区及园区"
)
async def list_jurisdictions(
    session: Annotated[AsyncSession, Depends(get_session)],
    _principal: Annotated[Principal, Depends(authenticated)],
) -> Sequence[Jurisdiction]:
    # Reference data, the same for every caller: a district seeing the list leaks nothing.
    return await repository.list_all(session)
