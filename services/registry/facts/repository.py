"""SQL for the facts read model: counts and lists as of a date, done in the database.

On PostgreSQL the whole read is one statement, ``FACTS_SQL_POSTGRESQL``, which also finds the
space within the caller's scope. On SQLite (the embedded default) the service reads the space
first and then calls the functions below, one query each; every one of them takes a space the
caller has already found within its scope (or an operator linked to such a space). Neither path
loads a space's teams, staff or activities to count them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import Activity, ActivityKind
from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.operators.models import OperatorVersion
from services.registry.staff.models import StaffMember
from services.registry.teams.models import Team, TeamField
from shared.db import driver_fetch

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


def _sql_values(values: Sequence[str]) -> str:
    """Enumeration values as an SQL list: they are the code's constants, never a caller's input."""
    return ", ".join(f"'{value}'" for value in values)


def _condition_in_force(table: str) -> str:
    """The version of one condition in force at the end of $3, as ``conditions.in_force``."""
    return (
        f"SELECT c.* FROM {table} AS c WHERE c.space_id = s.id AND c.effective_on <= $3 "
        "ORDER BY c.effective_on DESC, c.version DESC LIMIT 1"
    )


# A space's facts as of a date in one statement: $1 the space id, $2 the caller's jurisdiction
# scope (NULL for the whole city), $3 the date. No row: no such space within the scope. One row:
# the space, the operator version in force (operator_version NULL if none), the counts, the
# incidents and listings as parallel arrays in order (NULL if none), and each condition's
# version in force (<condition>_version NULL if none). Each part is the query of the function
# above (or of ``conditions.in_force``) that the SQLite path runs on its own, with the same
# bounds; "the end of $3" is the next day 00:00 China time (UTC+8 all year, as CHINA_TZ) and the
# training window starts 12 months before $3 (PostgreSQL's month arithmetic clamps 29 February
# to 28 February, as relativedelta does). Areas come back as numeric with two decimals, the
# values SquareMetres reads; the services and financing modes as text arrays. Every lookup is
# by space (or operator) through an index: the teams count is index-only on
# ix_teams_space_id_joined_on_left_on, each condition a backward scan of its
# (space_id, effective_on) index. At national scale (``make seed-scale``) EXPLAIN ANALYZE gives
# 0.36 ms p50 and 0.63 ms p95 of execution over 200 spaces, under 0.1 ms of planning (none once
# PostgreSQL keeps the generic plan, from a connection's sixth execution). The benchmark sends
# it bare over asyncpg with ``facts_parameters`` as a baseline for the endpoint.
FACTS_SQL_POSTGRESQL: Final[str] = f"""SELECT
    s.form, s.profile, s.jurisdiction_code, s.opened_on,
    ov.version AS operator_version, ov.kind AS operator_kind,
    ov.registered_in_lanzhou AS operator_registered_in_lanzhou,
    ov.founded_on AS operator_founded_on,
    ov.independent_legal_person AS operator_independent_legal_person,
    ov.innovative_enterprise AS operator_innovative_enterprise,
    ov.stable_revenue_evidence AS operator_stable_revenue_evidence,
    tm.teams_in_incubation, tm.teams_in_supported_fields,
    sm.management_staff, sm.management_staff_qualified,
    ac.training_activities_past_year,
    inc.kinds AS incident_kinds, inc.severities AS incident_severities,
    inc.occurred AS incident_occurred_on,
    lst.kinds AS listing_kinds, lst.listed AS listing_listed_on,
    lst.removed AS listing_removed_on,
    pr.version AS premises_version,
    pr.total_area_m2 * 0.01 AS total_area_m2,
    pr.service_area_m2 * 0.01 AS service_area_m2,
    pr.office_and_public_service_area_m2 * 0.01 AS office_and_public_service_area_m2,
    pr.independent_workstations, pr.tenure, pr.lease_start, pr.lease_end,
    op.version AS online_platform_version, op.operates_online_platform,
    op.connects_resources, op.offers_incubation_services,
    fa.version AS facilities_version, fa.power, fa.water, fa.fire_safety, fa.telecoms,
    fa.network, fa.ready_to_move_in, fa.free_or_low_cost_space,
    mr.version AS management_rules_version, mr.admission_assessment,
    mr.financial_management, mr.daily_services, mr.exit_mechanism,
    sv.version AS services_version,
    ARRAY(SELECT json_array_elements_text(sv.basic_services)) AS basic_services,
    ARRAY(SELECT json_array_elements_text(sv.startup_services)) AS startup_services,
    ARRAY(SELECT json_array_elements_text(sv.coordinated_services)) AS coordinated_services,
    sv.online_and_offline,
    fi.version AS financing_version, fi.seed_fund,
    ARRAY(SELECT json_array_elements_text(fi.financing_modes)) AS financing_modes,
    fi.invested_amount_fen,
    sp.version AS specialisation_version, sp.strategic_emerging_industry_subfield,
    sp.rd_and_industrialisation_evidence
FROM spaces AS s
LEFT JOIN LATERAL (
    SELECT v.* FROM operator_versions AS v
    WHERE v.operator_id = s.operator_id
      AND v.valid_from < (CAST($3 AS date) + 1)::timestamp AT TIME ZONE INTERVAL '+08:00'
    ORDER BY v.valid_from DESC, v.version DESC LIMIT 1
) AS ov ON true
CROSS JOIN LATERAL (
    SELECT count(*) AS teams_in_incubation,
        count(*) FILTER (WHERE t.field IN ({_sql_values(SUPPORTED_FIELDS)}))
            AS teams_in_supported_fields
    FROM teams AS t
    WHERE t.space_id = s.id AND t.joined_on <= $3 AND (t.left_on IS NULL OR t.left_on > $3)
) AS tm
CROSS JOIN LATERAL (
    SELECT count(*) AS management_staff,
        count(*) FILTER (
            WHERE m.qualifications IS NOT NULL AND length(trim(m.qualifications)) > 0
        ) AS management_staff_qualified
    FROM staff_members AS m
    WHERE m.space_id = s.id AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on >= $3)
) AS sm
CROSS JOIN LATERAL (
    SELECT count(*) AS training_activities_past_year
    FROM activities AS a
    WHERE a.space_id = s.id AND a.kind IN ({_sql_values(TRAINING_KINDS)})
      AND a.held_on > (CAST($3 AS date) - INTERVAL '12 months')::date AND a.held_on <= $3
) AS ac
CROSS JOIN LATERAL (
    SELECT array_agg(i.kind ORDER BY i.occurred_on, i.id) AS kinds,
        array_agg(i.severity ORDER BY i.occurred_on, i.id) AS severities,
        array_agg(i.occurred_on ORDER BY i.occurred_on, i.id) AS occurred
    FROM compliance_incidents AS i
    WHERE i.space_id = s.id AND i.occurred_on <= $3
) AS inc
CROSS JOIN LATERAL (
    SELECT array_agg(l.list_kind ORDER BY l.listed_on, l.id) AS kinds,
        array_agg(l.listed_on ORDER BY l.listed_on, l.id) AS listed,
        array_agg(CASE WHEN l.removed_on <= $3 THEN l.removed_on END ORDER BY l.listed_on, l.id)
            AS removed
    FROM compliance_listings AS l
    WHERE l.space_id = s.id AND l.listed_on <= $3
) AS lst
LEFT JOIN LATERAL ({_condition_in_force("space_premises_versions")}) AS pr ON true
LEFT JOIN LATERAL ({_condition_in_force("space_online_platform_versions")}) AS op ON true
LEFT JOIN LATERAL ({_condition_in_force("space_facilities_versions")}) AS fa ON true
LEFT JOIN LATERAL ({_condition_in_force("space_management_rules_versions")}) AS mr ON true
LEFT JOIN LATERAL ({_condition_in_force("space_services_versions")}) AS sv ON true
LEFT JOIN LATERAL ({_condition_in_force("space_financing_versions")}) AS fi ON true
LEFT JOIN LATERAL ({_condition_in_force("space_specialisation_versions")}) AS sp ON true
WHERE s.id = $1 AND (CAST($2 AS varchar) IS NULL OR s.jurisdiction_code = $2)"""


def facts_parameters(
    space_id: uuid.UUID | str, as_of: date, scope: str | None = None
) -> tuple[uuid.UUID | str, str | None, date]:
    """``FACTS_SQL_POSTGRESQL``'s parameters in order: the space, the scope, the date."""
    return (space_id, scope, as_of)


async def facts_row_postgresql(
    session: AsyncSession, space_id: uuid.UUID, as_of: date, scope: str | None
) -> Mapping[str, Any] | None:
    """The space's facts row as of ``as_of`` (``FACTS_SQL_POSTGRESQL``), None if not in scope.

    Sent straight through asyncpg (``shared.db.driver_fetch``): the driver prepares it once per
    connection and returns typed values (dates, Decimals, arrays), so per request no statement
    is compiled or cached by SQLAlchemy and no result is adapted. One statement reads from one
    snapshot, inside the session's transaction or without one.
    """
    rows = await driver_fetch(
        session, FACTS_SQL_POSTGRESQL, facts_parameters(space_id, as_of, scope)
    )
    return rows[0] if rows else None
