"""SQL for incidents and listings. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.compliance.schemas import IncidentFilters, ListingFilters
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, record: ComplianceIncident | ComplianceListing) -> None:
    session.add(record)
    await session.flush()


async def get_listing(
    session: AsyncSession, space_id: uuid.UUID, listing_id: uuid.UUID
) -> ComplianceListing | None:
    stmt = (
        sa.select(ComplianceListing)
        .where(ComplianceListing.id == listing_id, ComplianceListing.space_id == space_id)
        # Two removals queue here; the second sees the first's date and is refused.
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).one_or_none()


async def save(session: AsyncSession) -> None:
    await session.flush()


async def incidents_page(
    session: AsyncSession, space_id: uuid.UUID, filters: IncidentFilters, page: PageParams
) -> Sequence[ComplianceIncident]:
    stmt = sa.select(ComplianceIncident).where(ComplianceIncident.space_id == space_id)
    if filters.kind is not None:
        stmt = stmt.where(ComplianceIncident.kind == filters.kind)
    stmt = keyset_page(
        stmt,
        [ComplianceIncident.created_at.expression, ComplianceIncident.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()


async def listings_page(
    session: AsyncSession, space_id: uuid.UUID, filters: ListingFilters, page: PageParams
) -> Sequence[ComplianceListing]:
    stmt = sa.select(ComplianceListing).where(ComplianceListing.space_id == space_id)
    if filters.list_kind is not None:
        stmt = stmt.where(ComplianceListing.list_kind == filters.list_kind)
    if filters.current is not None:
        removed = ComplianceListing.removed_on
        stmt = stmt.where(removed.is_(None) if filters.current else removed.isnot(None))
    stmt = keyset_page(
        stmt,
        [ComplianceListing.created_at.expression, ComplianceListing.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
