"""A space's facts as of a date, assembled from what the registry records; no HTTP here.

Where each fact comes from ("as_of" is a date in China time; "end of as_of" is the instant
before the next day's 00:00 +08:00):

- ``space_id``, ``form``, ``profile``, ``jurisdiction_code``: the space;
  ``operating_since``: the space's ``opened_on``.
- ``operator.kind``, ``operator.registered_in_lanzhou``, ``operator.established_on``
  (``founded_on``): the operator version in force at the end of as_of, i.e. the latest
  ``operator_versions`` row with ``valid_from`` before the next day 00:00 China time. With no
  operator linked, or no version recorded by then, every operator fact is None.
- ``incubation.teams_in_incubation``: teams joined on or before as_of and not left (graduated
  or exited) on or before as_of: a team that leaves on as_of is no longer in incubation that
  day. ``incubation.teams_in_supported_fields``: of those, field high_tech or modern_service.
- ``staff.management_staff``: staff who started on or before as_of and had not ended before
  it (``ended_on`` is the last day served, so ended_on == as_of still counts).
  ``staff.management_staff_qualified``: of those, with non-empty qualifications; whether they
  are relevant is judged by a person later.
- ``services.training_activities_past_year``: activities of kind training, salon, lecture or
  camp held after (as_of - 12 months) and on or before as_of: for as_of 2025-06-30 that is
  2024-07-01..2025-06-30 (relativedelta, so 29 February maps to 28 February).
- ``compliance.incidents``: every incident that occurred on or before as_of.
  ``compliance.listings``: every list entry with listed_on on or before as_of; its
  ``removed_on`` only if that is on or before as_of (a later removal did not exist yet).

- ``operator.independent_legal_person``, ``operator.innovative_enterprise``,
  ``operator.stable_revenue_evidence``: the same operator version (None until recorded).
- ``premises.*``, ``online_platform.*``, ``facilities.*``, ``management_rules.*``,
  ``services.basic_services`` / ``startup_services`` / ``coordinated_services`` /
  ``online_and_offline``, ``financing.*``, ``specialisation.*``: each condition's version in
  force at the end of as_of (the latest ``effective_on`` on or before as_of; of those, the
  highest version). A condition with no version in force by then leaves its facts None, and
  the eligibility service names them as missing. ``platform_url`` and remarks are not facts.

How it is read: on PostgreSQL in one statement (``repository.FACTS_SQL_POSTGRESQL``) that finds
the space within the caller's scope and reads every fact above, mapped here from its one row.
Being one statement, it reads everything from one snapshot: a team joining or a condition
version recorded while the facts are read is either wholly in them or wholly out, which a
statement per fact cannot promise under READ COMMITTED (each statement sees what had committed
when it started). On SQLite (the embedded default, one writer at a time) the space is read
first and each fact by its own query, as the functions of ``repository`` name them. Both paths
answer the same for every space and date; the tests compare them on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.conditions import repository as conditions
from services.registry.conditions.models import (
    FacilitiesVersion,
    FinancingVersion,
    ManagementRulesVersion,
    OnlinePlatformVersion,
    PremisesVersion,
    ServicesVersion,
    SpecialisationVersion,
)
from services.registry.facts import repository
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from shared.auth import Principal
from shared.contracts.facts import (
    BasicService,
    ComplianceFacts,
    CoordinatedService,
    FacilitiesFacts,
    FinancingFacts,
    Incident,
    IncubationFacts,
    Listing,
    ManagementRulesFacts,
    OnlinePlatformFacts,
    OperatorFacts,
    PremisesFacts,
    ServiceFacts,
    SpaceFacts,
    SpecialisationFacts,
    StaffFacts,
    StartupService,
)
from shared.contracts.jurisdictions import JurisdictionCode
from shared.errors import FieldError, RequestInvalid
from shared.timezone import CHINA_TZ, today_in_china


class FactsDateInvalid(RequestInvalid):
    slug = "facts-date-invalid"


def end_of_day_in_china(day: date) -> datetime:
    """The first instant after ``day`` in China time: the next day 00:00 +08:00."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ)


def training_window_start(as_of: date) -> date:
    """The exclusive start of the 12 months up to and including ``as_of``."""
    return as_of - relativedelta(months=12)


async def get_facts(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, as_of: date | None
) -> SpaceFacts:
    """The facts at the end of ``as_of``; today (China time) if None, as statistics do."""
    if as_of is None:
        as_of = today_in_china()
    if session.get_bind().dialect.name == "postgresql":
        return await facts_in_one_statement(session, principal, space_id, as_of)
    return await facts_by_queries(session, principal, space_id, as_of)


async def facts_in_one_statement(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, as_of: date
) -> SpaceFacts:
    """``get_facts`` on PostgreSQL: one statement, one row, one snapshot."""
    row = await repository.facts_row_postgresql(
        session, space_id, as_of, principal.jurisdiction_scope
    )
    if row is None:
        # Not within the caller's scope. The other path asks the spaces service, whose 404 is
        # the same for another district's space as for a missing one (and which answers the
        # facts if the space was registered in between).
        return await facts_by_queries(session, principal, space_id, as_of)
    # Checked only once the space is found (a 404 comes first), as on the other path; the row
    # read for a refused date is dropped.
    _check_as_of(row["opened_on"], as_of)
    return SpaceFacts.model_validate(_facts_document(row, space_id, as_of))


def _facts_document(row: Mapping[str, Any], space_id: uuid.UUID, as_of: date) -> dict[str, Any]:
    """The facts row as the contract's fields; a section with no version in force is left out
    (the contract's default, every fact None), as ``facts_by_queries`` leaves it."""
    document: dict[str, Any] = {
        "space_id": space_id,
        "as_of": as_of,
        "form": row["form"],
        "profile": row["profile"],
        "jurisdiction_code": row["jurisdiction_code"],
        "operating_since": row["opened_on"],
        "incubation": {
            "teams_in_incubation": row["teams_in_incubation"],
            "teams_in_supported_fields": row["teams_in_supported_fields"],
        },
        "staff": {
            "management_staff": row["management_staff"],
            "management_staff_qualified": row["management_staff_qualified"],
        },
        "compliance": {
            "incidents": [
                {"kind": kind, "severity": severity, "occurred_on": occurred_on}
                for kind, severity, occurred_on in zip(
                    row["incident_kinds"] or (),
                    row["incident_severities"] or (),
                    row["incident_occurred_on"] or (),
                    strict=True,
                )
            ],
            "listings": [
                {"list": kind, "listed_on": listed_on, "removed_on": removed_on}
                for kind, listed_on, removed_on in zip(
                    row["listing_kinds"] or (),
                    row["listing_listed_on"] or (),
                    row["listing_removed_on"] or (),
                    strict=True,
                )
            ],
        },
    }
    services: dict[str, Any] = {
        "training_activities_past_year": row["training_activities_past_year"]
    }
    if row["services_version"] is not None:
        services |= _fields(row, _SERVICES)
    document["services"] = services
    if row["operator_version"] is not None:
        document["operator"] = {
            "kind": row["operator_kind"],
            "registered_in_lanzhou": row["operator_registered_in_lanzhou"],
            "established_on": row["operator_founded_on"],
            "independent_legal_person": row["operator_independent_legal_person"],
            "innovative_enterprise": row["operator_innovative_enterprise"],
            "stable_revenue_evidence": row["operator_stable_revenue_evidence"],
        }
    for section, names in _CONDITIONS:
        if row[f"{section}_version"] is not None:
            document[section] = _fields(row, names)
    return document


def _fields(row: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in names}


# Each condition: its section in the facts, the table of its dated versions, and its facts
# model, whose fields are named alike in the version table and in the one-statement row.
_CONDITION_MODELS: tuple[tuple[str, Any, type[BaseModel]], ...] = (
    ("premises", PremisesVersion, PremisesFacts),
    ("online_platform", OnlinePlatformVersion, OnlinePlatformFacts),
    ("facilities", FacilitiesVersion, FacilitiesFacts),
    ("management_rules", ManagementRulesVersion, ManagementRulesFacts),
    ("financing", FinancingVersion, FinancingFacts),
    ("specialisation", SpecialisationVersion, SpecialisationFacts),
)
_CONDITIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (section, tuple(model.model_fields)) for section, _, model in _CONDITION_MODELS
)
# The services condition's own facts; the training count comes from the activities.
_SERVICES = tuple(
    name for name in ServiceFacts.model_fields if name != "training_activities_past_year"
)


async def facts_by_queries(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, as_of: date
) -> SpaceFacts:
    """``get_facts`` on SQLite (and any database): the space, then a query per fact."""
    # Found within the caller's scope first: another district's space is the same 404.
    space = await spaces.get_space(session, principal, space_id)
    _check_as_of(space.opened_on, as_of)
    teams, teams_supported = await repository.count_teams_in_incubation(session, space.id, as_of)
    staff, staff_qualified = await repository.count_staff_serving(session, space.id, as_of)
    training = await repository.count_training_activities(
        session, space.id, training_window_start(as_of), as_of
    )
    return SpaceFacts(
        space_id=space.id,
        as_of=as_of,
        form=space.form,
        profile=space.profile,
        jurisdiction_code=JurisdictionCode(space.jurisdiction_code),
        operating_since=space.opened_on,
        operator=await _operator_facts(session, space, as_of),
        incubation=IncubationFacts(
            teams_in_incubation=teams, teams_in_supported_fields=teams_supported
        ),
        staff=StaffFacts(management_staff=staff, management_staff_qualified=staff_qualified),
        services=await _service_facts(session, space, as_of, training),
        compliance=await _compliance_facts(session, space, as_of),
        **await _condition_facts(session, space, as_of),
    )


def _check_as_of(opened_on: date, as_of: date) -> None:
    message: str | None = None
    if as_of > today_in_china():
        message = "is in the future (China time); facts are known only up to today"
    elif as_of < opened_on:
        message = f"the space had not opened on {as_of.isoformat()} (opened_on {opened_on})"
    if message is not None:
        raise FactsDateInvalid(
            f"as_of: {message}",
            [FieldError(field="query.as_of", message=message, type="value_error")],
        )


async def _operator_facts(session: AsyncSession, space: Space, as_of: date) -> OperatorFacts:
    if space.operator_id is None:
        return OperatorFacts()
    version = await repository.operator_version_before(
        session, space.operator_id, end_of_day_in_china(as_of)
    )
    if version is None:
        return OperatorFacts()
    return OperatorFacts(
        kind=version.kind,
        registered_in_lanzhou=version.registered_in_lanzhou,
        established_on=version.founded_on,
        independent_legal_person=version.independent_legal_person,
        innovative_enterprise=version.innovative_enterprise,
        stable_revenue_evidence=version.stable_revenue_evidence,
    )


async def _condition_facts(session: AsyncSession, space: Space, as_of: date) -> dict[str, Any]:
    """premises, online_platform, facilities, management_rules, financing, specialisation."""
    facts: dict[str, Any] = {}
    for section, version_model, facts_model in _CONDITION_MODELS:
        version = await conditions.in_force(session, version_model, space.id, as_of)
        if version is not None:
            facts[section] = facts_model.model_validate(
                {name: getattr(version, name) for name in facts_model.model_fields}
            )
    return facts


async def _service_facts(
    session: AsyncSession, space: Space, as_of: date, training: int
) -> ServiceFacts:
    services = await conditions.in_force(session, ServicesVersion, space.id, as_of)
    if services is None:
        return ServiceFacts(training_activities_past_year=training)
    return ServiceFacts(
        basic_services=frozenset(BasicService(s) for s in services.basic_services),
        startup_services=frozenset(StartupService(s) for s in services.startup_services),
        coordinated_services=frozenset(
            CoordinatedService(s) for s in services.coordinated_services
        ),
        online_and_offline=services.online_and_offline,
        training_activities_past_year=training,
    )


async def _compliance_facts(session: AsyncSession, space: Space, as_of: date) -> ComplianceFacts:
    incidents = await repository.incidents_through(session, space.id, as_of)
    listings = await repository.listings_through(session, space.id, as_of)
    return ComplianceFacts(
        incidents=tuple(
            Incident(kind=i.kind, severity=i.severity, occurred_on=i.occurred_on) for i in incidents
        ),
        listings=tuple(
            Listing(
                list=entry.list_kind,
                listed_on=entry.listed_on,
                removed_on=(
                    entry.removed_on
                    if entry.removed_on is not None and entry.removed_on <= as_of
                    else None
                ),
            )
            for entry in listings
        ),
    )
