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
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
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
    FinancingMode,
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
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, as_of: date
) -> SpaceFacts:
    # Found within the caller's scope first: another district's space is the same 404.
    space = await spaces.get_space(session, principal, space_id)
    _check_as_of(space, as_of)
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


def _check_as_of(space: Space, as_of: date) -> None:
    message: str | None = None
    if as_of > today_in_china():
        message = "is in the future (China time); facts are known only up to today"
    elif as_of < space.opened_on:
        message = f"the space had not opened on {as_of.isoformat()} (opened_on {space.opened_on})"
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
    premises = await conditions.in_force(session, PremisesVersion, space.id, as_of)
    if premises is not None:
        facts["premises"] = PremisesFacts(
            total_area_m2=premises.total_area_m2,
            service_area_m2=premises.service_area_m2,
            office_and_public_service_area_m2=premises.office_and_public_service_area_m2,
            independent_workstations=premises.independent_workstations,
            tenure=premises.tenure,
            lease_start=premises.lease_start,
            lease_end=premises.lease_end,
        )
    platform = await conditions.in_force(session, OnlinePlatformVersion, space.id, as_of)
    if platform is not None:
        facts["online_platform"] = OnlinePlatformFacts(
            operates_online_platform=platform.operates_online_platform,
            connects_resources=platform.connects_resources,
            offers_incubation_services=platform.offers_incubation_services,
        )
    facilities = await conditions.in_force(session, FacilitiesVersion, space.id, as_of)
    if facilities is not None:
        facts["facilities"] = FacilitiesFacts(
            power=facilities.power,
            water=facilities.water,
            fire_safety=facilities.fire_safety,
            telecoms=facilities.telecoms,
            network=facilities.network,
            ready_to_move_in=facilities.ready_to_move_in,
            free_or_low_cost_space=facilities.free_or_low_cost_space,
        )
    rules = await conditions.in_force(session, ManagementRulesVersion, space.id, as_of)
    if rules is not None:
        facts["management_rules"] = ManagementRulesFacts(
            admission_assessment=rules.admission_assessment,
            financial_management=rules.financial_management,
            daily_services=rules.daily_services,
            exit_mechanism=rules.exit_mechanism,
        )
    financing = await conditions.in_force(session, FinancingVersion, space.id, as_of)
    if financing is not None:
        facts["financing"] = FinancingFacts(
            seed_fund=financing.seed_fund,
            financing_modes=frozenset(FinancingMode(m) for m in financing.financing_modes),
            invested_amount_fen=financing.invested_amount_fen,
        )
    specialisation = await conditions.in_force(session, SpecialisationVersion, space.id, as_of)
    if specialisation is not None:
        facts["specialisation"] = SpecialisationFacts(
            strategic_emerging_industry_subfield=specialisation.strategic_emerging_industry_subfield,
            rd_and_industrialisation_evidence=specialisation.rd_and_industrialisation_evidence,
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
