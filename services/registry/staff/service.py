"""The rules for staff members: dated service, and a departure recorded once.

No HTTP here. Every refusal is raised before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import supporting_documents
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.staff import repository
from services.registry.staff.models import StaffMember
from services.registry.staff.schemas import StaffCreate, StaffDeparture, StaffFilters
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors


class StaffNotFound(NotFound):
    slug = "staff-not-found"


class StaffInvalid(RequestInvalid):
    slug = "staff-invalid"


class StaffAlreadyDeparted(Conflict):
    slug = "staff-already-departed"


async def create_staff(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: StaffCreate
) -> tuple[Space, StaffMember]:
    space = await spaces.get_space(session, principal, space_id)
    _raise_if_invalid(future_date_errors("body.started_on", data.started_on))
    member = StaffMember(
        id=uuid.uuid4(),
        space_id=space.id,
        name=data.name,
        role=data.role,
        qualifications=data.qualifications,
        started_on=data.started_on,
        ended_on=None,
        ended_recorded_at=None,
        ended_recorded_by=None,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    return space, await repository.add(session, member)


async def record_departure(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    staff_id: uuid.UUID,
    data: StaffDeparture,
) -> tuple[Space, StaffMember]:
    space = await spaces.get_space(session, principal, space_id)
    member = await repository.get(session, space.id, staff_id, for_update=True)
    if member is None:
        raise StaffNotFound(f"No staff member {staff_id} in space {space_id}; check the id")
    if member.ended_on is not None:
        raise StaffAlreadyDeparted(
            f"The departure on {member.ended_on.isoformat()} is already recorded and is kept "
            "as it is",
            ended_on=member.ended_on.isoformat(),
        )
    errors = future_date_errors("body.ended_on", data.ended_on)
    if not errors and data.ended_on < member.started_on:
        errors.append(
            _field("body.ended_on", f"is before started_on ({member.started_on.isoformat()})")
        )
    errors += await supporting_documents.document_errors(session, space.id, data.document_id)
    _raise_if_invalid(errors)
    member.ended_on = data.ended_on
    member.ended_recorded_at = utcnow()
    member.ended_recorded_by = principal.subject
    member.departure_reason = data.reason
    member.departure_document_id = data.document_id
    await repository.save(session)
    return space, member


async def list_staff(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    filters: StaffFilters,
    page: PageParams,
) -> Sequence[StaffMember]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.list_page(session, space.id, filters, page)


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_if_invalid(errors: list[FieldError]) -> None:
    if errors:
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise StaffInvalid(f"Invalid; correct and resend: {listed}", errors)
