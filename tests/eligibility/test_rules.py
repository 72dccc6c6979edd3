"""Each condition of the 2018 Measures at its edge: exactly the threshold, and one unit below."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.eligibility.engine.evaluate import ConditionResult, Decision, evaluate
from services.eligibility.engine.outcome import OverallVerdict, Verdict
from services.eligibility.rulesets.service import RulesetBook
from shared.contracts.facts import SpaceFacts
from tests.eligibility.factories import APPLICATION_DATE, complete_facts

BOOK = RulesetBook.load()


def decide(on: date = APPLICATION_DATE, ruleset: str | None = None, **overrides: Any) -> Decision:
    facts = SpaceFacts.model_validate(complete_facts(on, **overrides))
    loaded = BOOK.get(ruleset) if ruleset else BOOK.in_force_on(on)
    return evaluate(facts, on, loaded.rules, loaded.content_hash)


def condition(decision: Decision, condition_id: str) -> ConditionResult:
    return next(c for c in decision.conditions if c.id == condition_id)


def finding(decision: Decision, condition_id: str, code: str):
    return next(f for f in condition(decision, condition_id).findings if f.code == code)


def test_complete_facts_pass_every_automatic_check() -> None:
    decision = decide()
    assert decision.verdict is OverallVerdict.NEEDS_REVIEW  # judgement remains for a person
    verdicts = {c.id: c.verdict for c in decision.conditions}
    assert verdicts == {
        "C1": Verdict.NEEDS_REVIEW,
        "C2": Verdict.MET,
        "C3": Verdict.NEEDS_REVIEW,
        "C4": Verdict.MET,
        "C5": Verdict.NEEDS_REVIEW,
        "C6": Verdict.NEEDS_REVIEW,
        "C7": Verdict.NEEDS_REVIEW,
        "C8": Verdict.MET,
        "C9": Verdict.MET,
        "S1": Verdict.NOT_APPLICABLE,
        "S2": Verdict.NOT_APPLICABLE,
        "S3": Verdict.NOT_APPLICABLE,
    }
    assert decision.missing_facts == []


# --- C2 premises --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "area", "verdict"),
    [
        ("comprehensive", "500", Verdict.MET),
        ("comprehensive", "499.99", Verdict.NOT_MET),
        ("specialised", "1000", Verdict.MET),
        ("specialised", "999.99", Verdict.NOT_MET),
    ],
)
def test_service_area_edge(form: str, area: str, verdict: Verdict) -> None:
    decision = decide(form=form, premises={"service_area_m2": area})
    assert finding(decision, "C2", "min_service_area").verdict is verdict


def test_service_area_shortfall_is_in_square_metres() -> None:
    result = finding(decide(premises={"service_area_m2": "480"}), "C2", "min_service_area")
    assert result.shortfall is not None
    assert (result.shortfall.actual, result.shortfall.required, result.shortfall.gap) == (
        "480",
        500,
        "20",
    )
    assert result.explanation_en == "service area 480 m², 20 m² short of 500 m²"
    assert result.explanation_zh == "服务场地面积480平方米，比500平方米少20平方米"


def test_a_specialised_space_is_held_to_1000_not_500() -> None:
    decision = decide(form="specialised", premises={"service_area_m2": "800"})
    result = finding(decision, "C2", "min_service_area")
    assert result.verdict is Verdict.NOT_MET
    assert result.parameter is not None
    assert result.parameter.value == 1000
    assert "min_workstations" not in {f.code for f in condition(decision, "C2").findings}


@pytest.mark.parametrize(("stations", "verdict"), [(20, Verdict.MET), (19, Verdict.NOT_MET)])
def test_workstations_edge(stations: int, verdict: Verdict) -> None:
    decision = decide(premises={"independent_workstations": stations})
    assert finding(decision, "C2", "min_workstations").verdict is verdict


@pytest.mark.parametrize(("office", "verdict"), [("800", Verdict.MET), ("799.99", Verdict.NOT_MET)])
def test_office_and_public_share_edge(office: str, verdict: Verdict) -> None:
    decision = decide(
        premises={
            "total_area_m2": "1000",
            "service_area_m2": "900",
            "office_and_public_service_area_m2": office,
        }
    )
    result = finding(decision, "C2", "office_and_public_share")
    assert result.verdict is verdict
    if verdict is Verdict.NOT_MET:
        assert result.explanation_en == (
            "office and public service area is 79.99 % of the total, below 80 %: "
            "needs at least 800 m², 0.01 m² short"
        )


@pytest.mark.parametrize(
    ("start", "end", "verdict"),
    [
        ("2024-04-01", "2027-03-31", Verdict.MET),  # a contract's three years, both days included
        ("2024-04-01", "2027-03-30", Verdict.NOT_MET),
        ("2024-02-29", "2027-02-28", Verdict.MET),
    ],
)
def test_lease_term_edge(start: str, end: str, verdict: Verdict) -> None:
    decision = decide(premises={"lease_start": start, "lease_end": end})
    assert finding(decision, "C2", "lease_term").verdict is verdict


def test_lease_shortfall_names_the_date_it_must_reach() -> None:
    decision = decide(premises={"lease_start": "2025-01-16", "lease_end": "2027-03-31"})
    result = finding(decision, "C2", "lease_term")
    assert result.explanation_en == (
        "lease ends 2027-03-31, needs to run to at least 2028-01-15 (3 years)"
    )


def test_a_lease_that_ended_before_the_application_does_not_count() -> None:
    decision = decide(
        on=date(2026, 3, 16), premises={"lease_start": "2022-03-01", "lease_end": "2026-03-15"}
    )
    assert finding(decision, "C2", "lease_term").verdict is Verdict.MET
    assert finding(decision, "C2", "lease_in_force").verdict is Verdict.NOT_MET


def test_owned_premises_need_no_lease() -> None:
    decision = decide(premises={"tenure": "owned", "lease_start": None, "lease_end": None})
    assert condition(decision, "C2").verdict is Verdict.MET
    assert "lease_term" not in {f.code for f in condition(decision, "C2").findings}


def test_a_virtual_space_needs_a_platform_not_premises() -> None:
    decision = decide(
        form="virtual", premises={"service_area_m2": "10", "independent_workstations": 0}
    )
    c2 = condition(decision, "C2")
    assert c2.verdict is Verdict.NEEDS_REVIEW
    assert {f.code for f in c2.findings} == {
        "online_platform",
        "platform_connects_resources",
        "platform_incubation_services",
        "virtual_relaxation",
    }
    without = decide(form="virtual", online_platform={"operates_online_platform": False})
    assert condition(without, "C2").verdict is Verdict.NOT_MET


# --- C1 legal entity and durations ---------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "on", "verdict"),
    [
        ("2025-02-28", "2026-02-28", Verdict.MET),  # the example: 12 months on this day
        ("2025-02-28", "2026-02-27", Verdict.NOT_MET),
        ("2024-02-29", "2025-02-28", Verdict.MET),  # no 29 February: the month's last day
        ("2025-03-31", "2026-03-31", Verdict.MET),
        ("2025-03-31", "2026-03-30", Verdict.NOT_MET),
    ],
)
def test_twelve_months_of_operation_edge(since: str, on: str, verdict: Verdict) -> None:
    day = date.fromisoformat(on)
    decision = decide(on=day, operating_since=since)
    assert finding(decision, "C1", "space_operation").verdict is verdict


@pytest.mark.parametrize(
    ("established", "verdict"), [("2025-03-16", Verdict.MET), ("2025-03-17", Verdict.NOT_MET)]
)
def test_operator_one_year_edge(established: str, verdict: Verdict) -> None:
    decision = decide(operator={"established_on": established})
    assert finding(decision, "C1", "operator_age").verdict is verdict


def test_operation_shortfall_says_when_it_will_be_complete() -> None:
    result = finding(decide(operating_since="2025-06-01"), "C1", "space_operation")
    assert result.shortfall is not None
    assert result.shortfall.required == "2026-06-01"
    assert "2026-06-01, 77 days after the application date 2026-03-16" in result.explanation_en


@pytest.mark.parametrize("field", ["registered_in_lanzhou", "independent_legal_person"])
def test_legal_entity_requirements(field: str) -> None:
    assert condition(decide(operator={field: False}), "C1").verdict is Verdict.NOT_MET


def test_revenue_without_evidence_fails_and_with_evidence_goes_to_a_person() -> None:
    assert (
        finding(decide(operator={"stable_revenue_evidence": False}), "C1", "stable_revenue").verdict
        is Verdict.NOT_MET
    )
    assert finding(decide(), "C1", "stable_revenue").verdict is Verdict.NEEDS_REVIEW


# --- C3, C5, C4, C6, C7, C8 ------------------------------------------------------------------


@pytest.mark.parametrize(("teams", "verdict"), [(10, Verdict.NEEDS_REVIEW), (9, Verdict.NOT_MET)])
def test_ten_teams_edge(teams: int, verdict: Verdict) -> None:
    decision = decide(incubation={"teams_in_incubation": 12, "teams_in_supported_fields": teams})
    assert condition(decision, "C3").verdict is verdict


@pytest.mark.parametrize(("staff", "verdict"), [(3, Verdict.NEEDS_REVIEW), (2, Verdict.NOT_MET)])
def test_three_staff_edge(staff: int, verdict: Verdict) -> None:
    decision = decide(staff={"management_staff": 4, "management_staff_qualified": staff})
    assert condition(decision, "C5").verdict is verdict


@pytest.mark.parametrize(
    "facility",
    [
        "power",
        "water",
        "fire_safety",
        "telecoms",
        "network",
        "ready_to_move_in",
        "free_or_low_cost_space",
    ],
)
def test_every_facility_is_required(facility: str) -> None:
    decision = decide(facilities={facility: False})
    c4 = condition(decision, "C4")
    assert c4.verdict is Verdict.NOT_MET
    assert [f.code for f in c4.findings if f.verdict is Verdict.NOT_MET] == [facility]


@pytest.mark.parametrize(
    "rule", ["admission_assessment", "financial_management", "daily_services", "exit_mechanism"]
)
def test_every_written_rule_is_required(rule: str) -> None:
    assert condition(decide(management_rules={rule: False}), "C6").verdict is Verdict.NOT_MET


def test_missing_services_are_named() -> None:
    decision = decide(services={"coordinated_services": ["rd_design", "financial_services"]})
    result = finding(decision, "C7", "coordinated_services")
    assert result.verdict is Verdict.NOT_MET
    assert result.shortfall is not None
    assert result.shortfall.gap == [
        "certification_testing",
        "intellectual_property",
        "results_trading",
        "tech_intermediary",
    ]


@pytest.mark.parametrize(
    ("activities", "verdict"), [(1, Verdict.NEEDS_REVIEW), (0, Verdict.NOT_MET)]
)
def test_training_activity_edge(activities: int, verdict: Verdict) -> None:
    decision = decide(services={"training_activities_past_year": activities})
    assert condition(decision, "C7").verdict is verdict


@pytest.mark.parametrize(
    ("modes", "seed", "verdict"),
    [
        (["loans"], True, Verdict.MET),
        ([], True, Verdict.NOT_MET),
        (["loans"], False, Verdict.NOT_MET),
    ],
)
def test_financing_channel(modes: list[str], seed: bool, verdict: Verdict) -> None:
    decision = decide(financing={"financing_modes": modes, "seed_fund": seed})
    assert condition(decision, "C8").verdict is verdict


@pytest.mark.parametrize(
    ("amount", "priority"), [(100_000_000, True), (99_999_999, False), (None, None)]
)
def test_priority_is_apart_from_eligibility(amount: int | None, priority: bool | None) -> None:
    decision = decide(financing={"invested_amount_fen": amount})
    assert decision.priority.priority is priority
    assert decision.verdict is OverallVerdict.NEEDS_REVIEW  # eligibility unchanged either way
    assert decision.missing_facts == []


# --- C9 clean record -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred", "kind", "severity", "verdict"),
    [
        ("2025-01-01", "safety", "major", Verdict.NOT_MET),  # first day of the previous year
        ("2024-12-31", "safety", "major", Verdict.MET),  # the year before that: outside
        ("2026-03-16", "quality", "major", Verdict.NOT_MET),  # the application date itself
        ("2025-06-01", "safety", "serious", Verdict.MET),  # below 重大
        ("2025-06-01", "environmental", "serious", Verdict.NOT_MET),
        ("2025-06-01", "environmental", "major", Verdict.NOT_MET),  # worse than 严重 counts too
        ("2025-06-01", "research_misconduct", "ordinary", Verdict.MET),
    ],
)
def test_incident_window_and_severity(
    occurred: str, kind: str, severity: str, verdict: Verdict
) -> None:
    decision = decide(
        compliance={
            "incidents": [{"kind": kind, "severity": severity, "occurred_on": occurred}],
            "listings": [],
        }
    )
    assert finding(decision, "C9", "no_disqualifying_incident").verdict is verdict


@pytest.mark.parametrize(
    ("listed", "removed", "verdict"),
    [
        ("2025-01-01", None, Verdict.NOT_MET),
        ("2025-01-01", "2026-03-16", Verdict.MET),  # removed on the application date
        ("2025-01-01", "2026-03-17", Verdict.NOT_MET),
        ("2026-03-17", None, Verdict.MET),  # listed after the application date
    ],
)
def test_listing_on_the_application_date(
    listed: str, removed: str | None, verdict: Verdict
) -> None:
    listing = {"list": "abnormal_operation", "listed_on": listed, "removed_on": removed}
    decision = decide(compliance={"incidents": [], "listings": [listing]})
    assert finding(decision, "C9", "not_listed").verdict is verdict


# --- specialised spaces --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "innovative", "verdict"),
    [
        ("university", None, Verdict.MET),
        ("research_institute", None, Verdict.MET),
        ("enterprise", True, Verdict.MET),
        ("enterprise", False, Verdict.NOT_MET),
        ("public_institution", None, Verdict.NOT_MET),
        ("other", None, Verdict.NOT_MET),
    ],
)
def test_specialised_applicant(kind: str, innovative: bool | None, verdict: Verdict) -> None:
    decision = decide(
        form="specialised", operator={"kind": kind, "innovative_enterprise": innovative}
    )
    assert condition(decision, "S1").verdict is verdict


def test_specialised_field_and_conditions() -> None:
    decision = decide(form="specialised")
    assert condition(decision, "S2").verdict is Verdict.MET
    assert condition(decision, "S3").verdict is Verdict.NEEDS_REVIEW
    bare = decide(form="specialised", specialisation={"strategic_emerging_industry_subfield": " "})
    assert condition(bare, "S2").verdict is Verdict.MISSING_FACTS


# --- missing facts, verdicts, versions -----------------------------------------------------


def test_missing_facts_are_named_exactly() -> None:
    decision = decide(
        premises={"service_area_m2": None, "lease_end": None},
        operating_since=None,
        compliance={"listings": None},
    )
    assert decision.verdict is OverallVerdict.INCOMPLETE
    assert decision.missing_facts == [
        "compliance.listings",
        "operating_since",
        "premises.lease_end",
        "premises.service_area_m2",
    ]
    assert condition(decision, "C1").missing_facts == ["operating_since"]


def test_a_miss_outweighs_missing_facts() -> None:
    decision = decide(premises={"service_area_m2": "100"}, operating_since=None)
    assert decision.verdict is OverallVerdict.NOT_ELIGIBLE
    assert decision.missing_facts == ["operating_since"]
    assert decision.summary_en == "does not meet the conditions: C2 not met"


def test_every_result_cites_its_clause_verbatim() -> None:
    decision = decide()
    c2 = condition(decision, "C2")
    assert c2.clause == "认定条件第2项"
    assert "综合性众创空间拥有不低于500平方米的服务场地,不少于20个独立工位" in c2.clause_text


def test_the_draft_is_stricter_and_cites_itself() -> None:
    facts = {"premises": {"service_area_m2": "550"}}
    in_force = decide(**facts)
    draft = decide(ruleset="lz-measures-draft-stricter", **facts)
    assert finding(in_force, "C2", "min_service_area").verdict is Verdict.MET
    assert finding(draft, "C2", "min_service_area").verdict is Verdict.NOT_MET
    assert draft.ruleset.status == "draft"


def test_same_facts_same_hash_and_same_decision() -> None:
    first, second = decide(), decide()
    assert first.input_hash == second.input_hash
    assert first == second
    assert decide(premises={"service_area_m2": "1201"}).input_hash != first.input_hash
