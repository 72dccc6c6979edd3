"""SQL for the facts read model: counts and lists as of a date, done in the database.

Every function takes a space the caller has already found within its scope (or an operator
linked to such a space); none of them loads a space's teams, staff or activities to count them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import Activity, ActivityKind
from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.operators.models import OperatorVersion
from services.registry.staff.models import StaffMember
from services.registry.teams.models import Team, TeamField

# 创业沙龙、大讲堂、训练营等培训活动 (C7); a roadshow or mentoring session is not one.
TRAINING_KINDS = (
    ActivityKind.TRAINING,
    ActivityKind.SALON,
    ActivityKind.LECTURE,
    ActivityKind.CAMP,
)
SUPPORTED_FIELDS = (TeamField.HIGH_TECH, TeamField.MODERN_SERVICE)


async def operator_version_before(
    session: AsyncSession, operator_id: uuid.UUID, before: datetime
) -> OperatorVersion | None:
    """The operator's latest version recorded strictly before ``before`` (an aware instant)."""
    stmt = (
        sa.select(OperatorVersion)
        .where(OperatorVersion.operator_id == operator_id, OperatorVersion.valid_from < before)
        .order_by(OperatorVersion.valid_from.desc(), OperatorVersion.version.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def count_teams_in_incubation(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> tuple[int, int]:
    """(teams in incubation on ``on``, of those in a supported field).

    In incubation on a day: joined on or before it and not left (graduated or exited) on or
    before it. A team that leaves on ``on`` no longer counts that day.
    """
    supported = sa.func.count().filter(Team.field.in_(SUPPORTED_FIELDS))
    stmt = sa.select(sa.func.count(), supported).where(
        Team.space_id == space_id,
        Team.joined_on <= on,
        sa.or_(Team.left_on.is_(None), Team.left_on > on),
    )
    total, in_fields = (await session.execute(stmt)).one()
    return int(total), int(in_fields)


async def count_staff_serving(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> tuple[int, int]:
    """(staff serving on ``on``, of those with qualifications recorded).

    Serving on a day: started on or before it and not ended before it (``ended_on`` is the
    last day served, so a member whose last day is ``on`` still counts).
    """
    qualified = sa.func.count().filter(
        StaffMember.qualifications.isnot(None),
        sa.func.length(sa.func.trim(StaffMember.qualifications)) > 0,
    )
    stmt = sa.select(sa.func.count(), qualified).where(
        StaffMember.space_id == space_id,
        StaffMember.started_on <= on,
        sa.or_(StaffMember.ended_on.is_(None), StaffMember.ended_on >= on),
    )
    total, with_qualifications = (await session.execute(stmt)).one()
    return int(total), int(with_qualifications)


async def count_training_activities(
    session: AsyncSession, space_id: uuid.UUID, after: date, through: date
) -> int:
    """Training-type activities held after ``after`` (exclusive) up to ``through`` (inclusive)."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(Activity)
        .where(
            Activity.space_id == space_id,
            Activity.kind.in_(TRAINING_KINDS),
            Activity.held_on > after,
            Activity.held_on <= through,
        )
    )
    return int((await session.execute(stmt)).scalar_one())


async def incidents_through(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> Sequence[ComplianceIncident]:
    """Every incident that occurred on or before ``on``, oldest first."""
    stmt = (
        sa.select(ComplianceIncident)
        .where(ComplianceIncident.space_id == space_id, ComplianceIncident.occurred_on <= on)
        .order_by(ComplianceIncident.occurred_on, ComplianceIncident.id)
    )
    return (await session.scalars(stmt)).all()


async def listings_through(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> Sequence[ComplianceListing]:
    """Every list entry made on or before ``on``, oldest first (the caller hides later removals)."""
    stmt = (
        sa.select(ComplianceListing)
        .where(ComplianceListing.space_id == space_id, ComplianceListing.listed_on <= on)
        .order_by(ComplianceListing.listed_on, ComplianceListing.id)
    )
    return (await session.scalars(stmt)).all()
