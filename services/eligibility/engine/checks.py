"""One named check per condition of the Measures. Thresholds come from the ruleset, never from here.

Each check declares the parameters (and their units) it reads; loading a ruleset fails unless
the ruleset gives exactly those, so a check can never run on a silent default.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from services.eligibility.engine.calendar import first_day_of_year
from services.eligibility.engine.explain import APPLICANT_KINDS_ZH, incident_zh, listing_since_zh
from services.eligibility.engine.judge import Judge
from services.eligibility.engine.outcome import Shortfall
from shared.contracts.facts import OperatorKind, Severity, SpaceFacts, Tenure
from shared.contracts.spaces import SpaceForm

# The facts (and date) a check reads, as one hashable value: equal values, equal results.
Reads = Callable[[SpaceFacts, date], Hashable]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: Callable[[Judge], None]
    parameters: Mapping[str, str]  # name -> unit
    reads: Reads | None = None


CHECKS: dict[str, CheckSpec] = {}


# A check reading every field of a group of facts reads them as the tuple of the group's
# __dict__ values (hashed and compared faster than the model itself).


def check(
    name: str, *, reads: Reads | None = None, **parameters: str
) -> Callable[[Callable[[Judge], None]], Callable[[Judge], None]]:
    """Register a check. ``reads`` gives everything the check reads, when that is a small
    value (yes/no facts, a set of services, a count): the engine then judges each distinct
    value once per rule and shares the (immutable) result. It must name every fact the check
    looks at; a test compares shared results with fresh ones on varied facts."""

    def register(function: Callable[[Judge], None]) -> Callable[[Judge], None]:
        CHECKS[name] = CheckSpec(name, function, parameters, reads)
        return function

    return register


@check("independent_legal_entity", operator_min_age="years", space_min_operation="months")
def independent_legal_entity(j: Judge) -> None:
    """C1 独立的法人主体."""
    operator = j.facts.operator
    j.required(
        "registered_in_lanzhou", "operator.registered_in_lanzhou", operator.registered_in_lanzhou
    )
    j.required(
        "independent_legal_person",
        "operator.independent_legal_person",
        operator.independent_legal_person,
    )
    j.period_complete(
        "operator_age", "operator.established_on", operator.established_on, "operator_min_age"
    )
    j.period_complete(
        "space_operation", "operating_since", j.facts.operating_since, "space_min_operation"
    )
    j.review(
        "stable_revenue",
        "operator.stable_revenue_evidence",
        operator.stable_revenue_evidence,
        "经营收入是否稳定",
        "whether the revenue is stable",
    )


@check(
    "fixed_premises",
    comprehensive_min_service_area="m2",
    comprehensive_min_workstations="workstations",
    specialised_min_service_area="m2",
    min_office_and_public_share="percent",
    min_lease_term="years",
)
def fixed_premises(j: Judge) -> None:
    """C2 固定的办公场所 (virtual spaces: relaxed premises, an online platform instead)."""
    premises = j.facts.premises
    if j.facts.form is SpaceForm.VIRTUAL:
        platform = j.facts.online_platform
        j.required(
            "online_platform",
            "online_platform.operates_online_platform",
            platform.operates_online_platform,
        )
        j.required(
            "platform_connects_resources",
            "online_platform.connects_resources",
            platform.connects_resources,
        )
        j.required(
            "platform_incubation_services",
            "online_platform.offers_incubation_services",
            platform.offers_incubation_services,
        )
        j.judgement(
            "virtual_relaxation",
            "虚拟众创空间放宽后的办公场地是否适当",
            "whether the virtual space's relaxed premises are adequate",
        )
        return
    if j.facts.form is SpaceForm.COMPREHENSIVE:
        j.at_least(
            "min_service_area",
            "premises.service_area_m2",
            premises.service_area_m2,
            "comprehensive_min_service_area",
        )
        j.at_least(
            "min_workstations",
            "premises.independent_workstations",
            premises.independent_workstations,
            "comprehensive_min_workstations",
        )
    else:
        j.at_least(
            "min_service_area",
            "premises.service_area_m2",
            premises.service_area_m2,
            "specialised_min_service_area",
        )
    j.share_at_least(
        "office_and_public_share",
        "premises.office_and_public_service_area_m2",
        premises.office_and_public_service_area_m2,
        "premises.total_area_m2",
        premises.total_area_m2,
        "min_office_and_public_share",
    )
    if premises.tenure is None:
        j.missing("tenure", "premises.tenure")
    elif premises.tenure is Tenure.LEASED:
        j.lease(
            "lease_term",
            "lease_in_force",
            premises.lease_start,
            premises.lease_end,
            "min_lease_term",
        )


@check(
    "incubated_teams",
    reads=lambda facts, on: facts.incubation.teams_in_supported_fields,
    min_teams="teams",
)
def incubated_teams(j: Judge) -> None:
    """C3 入孵的小微企业或创业团队."""
    j.at_least(
        "min_teams",
        "incubation.teams_in_supported_fields",
        j.facts.incubation.teams_in_supported_fields,
        "min_teams",
    )
    j.judgement(
        "teams_lawful",
        "入孵企业和团队是否在法律法规允许的范围内经营",
        "whether the teams' business is within the law",
    )


@check("supporting_facilities", reads=lambda facts, on: tuple(facts.facilities.__dict__.values()))
def supporting_facilities(j: Judge) -> None:
    """C4 良好的配套设施."""
    facilities = j.facts.facilities
    for name in (
        "power",
        "water",
        "fire_safety",
        "telecoms",
        "network",
        "ready_to_move_in",
        "free_or_low_cost_space",
    ):
        j.required(name, f"facilities.{name}", getattr(facilities, name))


@check(
    "management_team",
    reads=lambda facts, on: facts.staff.management_staff_qualified,
    min_staff="staff",
)
def management_team(j: Judge) -> None:
    """C5 专业的管理辅导团队."""
    j.at_least(
        "min_staff",
        "staff.management_staff_qualified",
        j.facts.staff.management_staff_qualified,
        "min_staff",
    )
    j.judgement(
        "staff_relevant",
        "管理服务人员的专业知识、技能是否与创新创业服务相适应",
        "whether the staff's knowledge and skills fit the services",
    )


@check("management_rules", reads=lambda facts, on: tuple(facts.management_rules.__dict__.values()))
def management_rules(j: Judge) -> None:
    """C6 健全的管理制度."""
    rules = j.facts.management_rules
    for name in (
        "admission_assessment",
        "financial_management",
        "daily_services",
        "exit_mechanism",
    ):
        j.required(name, f"management_rules.{name}", getattr(rules, name))
    j.judgement("rules_adequate", "规章制度是否完善", "whether the written rules are adequate")


@check(
    "incubation_services",
    reads=lambda facts, on: tuple(facts.services.__dict__.values()),
    basic_services="items",
    startup_services="items",
    coordinated_services="items",
    min_training_activities="activities",
)
def incubation_services(j: Judge) -> None:
    """C7 完善的孵化服务体系."""
    services = j.facts.services
    j.includes(
        "basic_services", "services.basic_services", services.basic_services, "basic_services"
    )
    j.includes(
        "startup_services",
        "services.startup_services",
        services.startup_services,
        "startup_services",
    )
    j.includes(
        "coordinated_services",
        "services.coordinated_services",
        services.coordinated_services,
        "coordinated_services",
    )
    j.required("online_and_offline", "services.online_and_offline", services.online_and_offline)
    j.at_least(
        "training_activities",
        "services.training_activities_past_year",
        services.training_activities_past_year,
        "min_training_activities",
    )
    j.judgement("services_quality", "孵化服务的质量", "the quality of the incubation services")


@check(
    "financing_channel",
    reads=lambda facts, on: (facts.financing.seed_fund, facts.financing.financing_modes),
    min_financing_modes="modes",
)
def financing_channel(j: Judge) -> None:
    """C8 专门的融资渠道 (the priority for substantive investment is decided apart)."""
    financing = j.facts.financing
    j.required("seed_fund", "financing.seed_fund", financing.seed_fund)
    modes = financing.financing_modes
    j.at_least(
        "financing_modes",
        "financing.financing_modes",
        None if modes is None else len(modes),
        "min_financing_modes",
    )


@check(
    "clean_record",
    reads=lambda facts, on: (*facts.compliance.__dict__.values(), on),
    previous_calendar_years="calendar_years",
    disqualifying_incidents="items",
    disqualifying_lists="items",
)
def clean_record(j: Judge) -> None:
    """C9 上一年及当年内无重大事故、严重违法失信，且未列入经营异常名录和严重违法失信名单."""
    compliance = j.facts.compliance
    on = j.on
    window_start = first_day_of_year(on, int(j.param("previous_calendar_years").value))
    if compliance.incidents is None:
        j.missing("incidents", "compliance.incidents", "disqualifying_incidents")
    else:
        thresholds: dict[str, str] = j.param("disqualifying_incidents").value
        hits = [
            incident
            for incident in compliance.incidents
            if window_start <= incident.occurred_on <= on
            and incident.kind.value in thresholds
            and incident.severity.at_least(Severity(thresholds[incident.kind.value]))
        ]
        window = {"window": f"{window_start.isoformat()}..{on.isoformat()}"}
        if hits:
            listed = "; ".join(
                f"{i.occurred_on.isoformat()} {i.kind.value}/{i.severity.value}" for i in hits
            )
            j.not_met(
                "no_disqualifying_incident",
                {**window, "compliance.incidents": [i.model_dump(mode="json") for i in hits]},
                f"{window_start.isoformat()}至{on.isoformat()}期间发生取消资格的事件："
                f"{'；'.join(incident_zh(i) for i in hits)}",
                f"disqualifying incidents between {window_start.isoformat()} and "
                f"{on.isoformat()}: {listed}",
                Shortfall(actual=len(hits), required=0, unit="items", gap=len(hits)),
                "disqualifying_incidents",
            )
        else:
            # Depends on the application date alone: built once per date.
            j.shared_finding(
                ("no_disqualifying_incident", on),
                lambda: j.met_finding(
                    "no_disqualifying_incident",
                    window,
                    f"{window_start.isoformat()}至{on.isoformat()}期间无重大安全、重大质量事故和"
                    "严重环境违法、科研严重失信行为",
                    f"no disqualifying incident between {window_start.isoformat()} and "
                    f"{on.isoformat()}",
                    "disqualifying_incidents",
                ),
            )
    if compliance.listings is None:
        j.missing("not_listed", "compliance.listings", "disqualifying_lists")
        return
    lists = j.param("disqualifying_lists").value
    on_list = [
        listing
        for listing in compliance.listings
        if listing.list.value in lists
        and listing.listed_on <= on
        and (listing.removed_on is None or listing.removed_on > on)
    ]
    if on_list:
        names = ", ".join(
            f"{entry.list.value} since {entry.listed_on.isoformat()}" for entry in on_list
        )
        j.not_met(
            "not_listed",
            {"compliance.listings": [entry.model_dump(mode="json") for entry in on_list]},
            f"申报日在名单上：{'；'.join(listing_since_zh(entry) for entry in on_list)}",
            f"on a disqualifying list on the application date: {names}",
            parameter="disqualifying_lists",
        )
    else:
        j.shared_finding(
            ("not_listed", on),
            lambda: j.met_finding(
                "not_listed",
                {"application_date": on.isoformat()},
                "申报日未列入经营异常名录和严重违法失信企业名单",
                "not on the abnormal-operation or serious-violation list on the application date",
                "disqualifying_lists",
            ),
        )


@check(
    "specialised_applicant",
    reads=lambda facts, on: (facts.operator.kind, facts.operator.innovative_enterprise),
    applicant_kinds="items",
)
def specialised_applicant(j: Judge) -> None:
    """S1 专业化众创空间申报主体为高等院校、科研院所和创新型企业."""
    operator = j.facts.operator
    allowed = set(j.param("applicant_kinds").value)
    if operator.kind is None:
        j.missing("applicant_kind", "operator.kind", "applicant_kinds")
        return
    kind = operator.kind
    if kind is OperatorKind.ENTERPRISE:
        if operator.innovative_enterprise is None:
            j.missing("applicant_kind", "operator.innovative_enterprise", "applicant_kinds")
            return
        kind_name = "innovative_enterprise" if operator.innovative_enterprise else "enterprise"
    else:
        kind_name = kind.value
    facts = {"operator.kind": kind.value, "applicant": kind_name}
    kind_zh = APPLICANT_KINDS_ZH.get(kind_name, kind_name)
    if kind_name in allowed:
        j.shared_finding(
            ("applicant_kind", kind.value, kind_name),
            lambda: j.met_finding(
                "applicant_kind",
                facts,
                f"申报主体类型：{kind_zh}，符合",
                f"applicant kind {kind_name} is admitted",
                "applicant_kinds",
            ),
        )
    else:
        j.shared_finding(
            ("applicant_kind", kind.value, kind_name),
            lambda: j.not_met_finding(
                "applicant_kind",
                facts,
                f"申报主体类型：{kind_zh}，专业化众创空间须为："
                f"{'、'.join(APPLICANT_KINDS_ZH.get(k, k) for k in sorted(allowed))}",
                f"applicant kind {kind_name}; a specialised space needs one of: "
                f"{', '.join(sorted(allowed))}",
                Shortfall(actual=kind_name, required=sorted(allowed), unit="items", gap=None),
                "applicant_kinds",
            ),
        )


@check(
    "specialised_field",
    reads=lambda facts, on: facts.specialisation.strategic_emerging_industry_subfield,
)
def specialised_field(j: Judge) -> None:
    """S2 聚焦战略性新兴产业细分领域."""
    subfield = j.facts.specialisation.strategic_emerging_industry_subfield
    path = "specialisation.strategic_emerging_industry_subfield"
    if subfield is None or not subfield.strip():
        j.missing("strategic_subfield", path)
        return
    j.met("strategic_subfield", {path: subfield}, f"细分领域：{subfield}", f"sub-field: {subfield}")


@check(
    "specialised_conditions",
    reads=lambda facts, on: facts.specialisation.rd_and_industrialisation_evidence,
)
def specialised_conditions(j: Judge) -> None:
    """S3 具备较完善的专业化研究开发和产业化条件."""
    j.review(
        "rd_and_industrialisation",
        "specialisation.rd_and_industrialisation_evidence",
        j.facts.specialisation.rd_and_industrialisation_evidence,
        "专业化研究开发和产业化条件是否较完善",
        "whether the R&D and industrialisation conditions are adequate",
    )


PRIORITY_PARAMETERS = {"min_investment": "fen"}
