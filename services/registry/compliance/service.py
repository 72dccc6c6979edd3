"""The rules for compliance records: dated incidents, and listings removed once.

No HTTP here. Every refusal is raised before anything is written. Incidents are never
changed (the table is append-only); a listing changes once, when its removal is recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import supporting_documents
from services.registry.compliance import repository
from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.compliance.schemas import (
    IncidentCreate,
    IncidentFilters,
    ListingCreate,
    ListingFilters,
    ListingRemoval,
)
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors


class IncidentInvalid(RequestInvalid):
    slug = "incident-invalid"


class ListingNotFound(NotFound):
    slug = "listing-not-found"


class ListingInvalid(RequestInvalid):
    slug = "listing-invalid"


class ListingAlreadyRemoved(Conflict):
    slug = "listing-already-removed"


async def record_incident(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: IncidentCreate
) -> tuple[Space, ComplianceIncident]:
    space = await spaces.get_space(session, principal, space_id)
    _refuse_future(IncidentInvalid, "body.occurred_on", data.occurred_on)
    incident = ComplianceIncident(
        id=uuid.uuid4(),
        space_id=space.id,
        kind=data.kind,
        severity=data.severity,
        occurred_on=data.occurred_on,
        description=data.description,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    await repository.add(session, incident)
    return space, incident


async def record_listing(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: ListingCreate
) -> tuple[Space, ComplianceListing]:
    space = await spaces.get_space(session, principal, space_id)
    _refuse_future(ListingInvalid, "body.listed_on", data.listed_on)
    listing = ComplianceListing(
        id=uuid.uuid4(),
        space_id=space.id,
        list_kind=data.list_kind,
        listed_on=data.listed_on,
        reason=data.reason,
        removed_on=None,
        removed_recorded_at=None,
        removed_recorded_by=None,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    await repository.add(session, listing)
    return space, listing


async def record_removal(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    listing_id: uuid.UUID,
    data: ListingRemoval,
) -> tuple[Space, ComplianceListing]:
    space = await spaces.get_space(session, principal, space_id)
    listing = await repository.get_listing(session, space.id, listing_id)
    if listing is None:
        raise ListingNotFound(f"No listing {listing_id} in space {space_id}; check the id")
    if listing.removed_on is not None:
        raise ListingAlreadyRemoved(
            f"The removal on {listing.removed_on.isoformat()} is already recorded and is kept "
            "as it is",
            removed_on=listing.removed_on.isoformat(),
        )
    _refuse_future(ListingInvalid, "body.removed_on", data.removed_on)
    if data.removed_on < listing.listed_on:
        _refuse(
            ListingInvalid,
            "body.removed_on",
            f"is before listed_on ({listing.listed_on.isoformat()})",
        )
    errors = await supporting_documents.document_errors(session, space.id, data.document_id)
    if errors:
        raise ListingInvalid(f"{errors[0].field}: {errors[0].message}", errors)
    listing.removed_on = data.removed_on
    listing.removed_recorded_at = utcnow()
    listing.removed_recorded_by = principal.subject
    listing.removal_reason = data.reason
    listing.removal_document_id = data.document_id
    await repository.save(session)
    return space, listing


async def list_incidents(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    filters: IncidentFilters,
    page: PageParams,
) -> Sequence[ComplianceIncident]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.incidents_page(session, space.id, filters, page)


async def list_listings(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    filters: ListingFilters,
    page: PageParams,
) -> Sequence[ComplianceListing]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.listings_page(session, space.id, filters, page)


def _refuse_future(error: type[RequestInvalid], field: str, value: date) -> None:
    errors = future_date_errors(field, value)
    if errors:
        raise error(f"{field}: {errors[0].message}", errors)


def _refuse(error: type[RequestInvalid], field: str, message: str) -> None:
    raise error(
        f"{field}: {message}", [FieldError(field=field, message=message, type="value_error")]
    )
