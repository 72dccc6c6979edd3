"""The rules for creating and reading spaces; no HTTP here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.operators import service as operators
from services.registry.spaces import repository
from services.registry.spaces.models import Space
from services.registry.spaces.schemas import SpaceCreate, SpaceFilters
from services.registry.status.models import SpaceStatusChange, StatusAct
from shared.auth import Principal
from shared.contracts.spaces import SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, FieldError, Forbidden, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import today_in_china


class SpaceNotFound(NotFound):
    slug = "space-not-found"


class DuplicateSpace(Conflict):
    slug = "space-duplicate"


@dataclass(frozen=True)
class SpaceWithStatus:
    """A space and its current status (what the space read and list show)."""

    space: Space
    status: SpaceStatus
    status_since: date


async def create_space(
    session: AsyncSession, principal: Principal, data: SpaceCreate
) -> SpaceWithStatus:
    if not principal.sees_jurisdiction(data.jurisdiction_code):
        raise Forbidden(
            f"You manage jurisdiction {principal.jurisdiction_scope}; a space in "
            f"{data.jurisdiction_code.value} is registered by that jurisdiction or the bureau"
        )
    if data.opened_on > today_in_china():
        raise RequestInvalid(
            "opened_on is in the future; give the date the space began operating",
            [
                FieldError(
                    field="body.opened_on", message="must not be in the future", type="value_error"
                )
            ],
        )
    if data.operator_id is not None:
        await _check_operator(session, principal, data)
    existing = await repository.find_by_name(session, data.jurisdiction_code, data.name)
    if existing is not None:
        raise DuplicateSpace(
            f"A space named {data.name!r} is already registered in "
            f"{data.jurisdiction_code.value} (id {existing.id})",
            existing_id=str(existing.id),
        )
    now = utcnow()
    space = Space(
        id=uuid.uuid4(),
        name=data.name,
        jurisdiction_code=data.jurisdiction_code.value,
        form=data.form,
        profile=data.profile,
        opened_on=data.opened_on,
        operator_id=data.operator_id,
        created_at=now,
        created_by=principal.subject,
    )
    # Every space starts as an applicant from the day it opened (see status.service).
    registered = SpaceStatusChange(
        id=uuid.uuid4(),
        space_id=space.id,
        seq=1,
        act=StatusAct.REGISTERED,
        status=SpaceStatus.APPLICANT,
        effective_on=space.opened_on,
        recorded_at=now,
        recorded_by=principal.subject,
    )
    space = await repository.add(session, space, registered)
    return SpaceWithStatus(space, SpaceStatus.APPLICANT, space.opened_on)


async def _check_operator(session: AsyncSession, principal: Principal, data: SpaceCreate) -> None:
    assert data.operator_id is not None
    operator = await operators.find_visible(session, principal, data.operator_id)
    if operator is None:
        # Worded the same whether it does not exist or is another jurisdiction's.
        raise RequestInvalid(
            f"operator_id: no operator {data.operator_id} within your jurisdiction",
            [
                FieldError(
                    field="body.operator_id",
                    message="no such operator within your jurisdiction; register it first",
                    type="value_error",
                )
            ],
        )
    if operator.jurisdiction_code != data.jurisdiction_code:
        message = (
            f"the operator is managed by {operator.jurisdiction_code}; a space's operator "
            f"must be in the space's jurisdiction ({data.jurisdiction_code.value})"
        )
        raise RequestInvalid(
            f"operator_id: {message}",
            [FieldError(field="body.operator_id", message=message, type="value_error")],
        )


async def get_space(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, *, for_update: bool = False
) -> Space:
    space = await repository.get(
        session, space_id, principal.jurisdiction_scope, for_update=for_update
    )
    if space is None:
        raise _not_found(space_id)
    return space


async def get_space_with_status(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID
) -> SpaceWithStatus:
    found = await repository.get_with_status(session, space_id, principal.jurisdiction_scope)
    if found is None:
        raise _not_found(space_id)
    return SpaceWithStatus(*found)


def _not_found(space_id: uuid.UUID) -> SpaceNotFound:
    # The same answer whether it does not exist or belongs to another jurisdiction.
    return SpaceNotFound(f"No space {space_id} within your jurisdiction; check the id")


async def list_spaces(
    session: AsyncSession, principal: Principal, filters: SpaceFilters, page: PageParams
) -> Sequence[SpaceWithStatus]:
    rows = await repository.list_page(session, principal.jurisdiction_scope, filters, page)
    return [SpaceWithStatus(*row) for row in rows]
