"""The rules for creating and reading spaces; no HTTP here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.operators import service as operators
from services.registry.spaces import repository
from services.registry.spaces.models import Space
from services.registry.spaces.schemas import SpaceCreate, SpaceFilters
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, FieldError, Forbidden, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import today_in_china


class SpaceNotFound(NotFound):
    slug = "space-not-found"


class DuplicateSpace(Conflict):
    slug = "space-duplicate"


async def create_space(session: AsyncSession, principal: Principal, data: SpaceCreate) -> Space:
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
    return await repository.add(
        session,
        Space(
            id=uuid.uuid4(),
            name=data.name,
            jurisdiction_code=data.jurisdiction_code.value,
            form=data.form,
            profile=data.profile,
            opened_on=data.opened_on,
            operator_id=data.operator_id,
            created_at=utcnow(),
            created_by=principal.subject,
        ),
    )


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


async def get_space(session: AsyncSession, principal: Principal, space_id: uuid.UUID) -> Space:
    space = await repository.get(session, space_id, principal.jurisdiction_scope)
    if space is None:
        # The same answer whether it does not exist or belongs to another jurisdiction.
        raise SpaceNotFound(f"No space {space_id} within your jurisdiction; check the id")
    return space


async def list_spaces(
    session: AsyncSession, principal: Principal, filters: SpaceFilters, page: PageParams
) -> Sequence[Space]:
    return await repository.list_page(session, principal.jurisdiction_scope, filters, page)
