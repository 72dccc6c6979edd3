"""The rules for activities: a known kind, a past date within the space's life, sane attendance.

No HTTP here. Every refusal is raised before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities import repository
from services.registry.activities.models import Activity
from services.registry.activities.schemas import ActivityCreate, ActivityFilters
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import FieldError, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import today_in_china


class ActivityInvalid(RequestInvalid):
    slug = "activity-invalid"


async def create_activity(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: ActivityCreate
) -> tuple[Space, Activity]:
    space = await spaces.get_space(session, principal, space_id)
    message: str | None = None
    if data.held_on > today_in_china():
        message = "must not be in the future (China time); record an activity once it is held"
    elif data.held_on < space.opened_on:
        message = f"is before the space began operating ({space.opened_on.isoformat()})"
    if message is not None:
        raise ActivityInvalid(
            f"held_on: {message}",
            [FieldError(field="body.held_on", message=message, type="value_error")],
        )
    activity = Activity(
        id=uuid.uuid4(),
        space_id=space.id,
        kind=data.kind,
        title=data.title,
        held_on=data.held_on,
        attendance=data.attendance,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    return space, await repository.add(session, activity)


async def list_activities(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    filters: ActivityFilters,
    page: PageParams,
) -> Sequence[Activity]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.list_page(session, space.id, filters, page)
