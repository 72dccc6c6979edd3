"""Facts for tests and benchmarks: a complete set that passes every automatic check, and cohorts."""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from typing import Any

APPLICATION_DATE = date(2026, 3, 16)

ALL_BASIC = [
    "broadband",
    "flexible_workstations",
    "internet_resources",
    "public_software",
    "shared_office",
]
ALL_STARTUP = ["financing", "mentoring", "registration"]
ALL_COORDINATED = [
    "certification_testing",
    "financial_services",
    "intellectual_property",
    "rd_design",
    "results_trading",
    "tech_intermediary",
]


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def complete_facts(on: date = APPLICATION_DATE, **overrides: Any) -> dict[str, Any]:
    """A comprehensive space meeting every automatic check of the 2018 Measures on ``on``.

    Nested dicts in ``overrides`` are merged: ``premises={"service_area_m2": "499"}``.
    """
    base: dict[str, Any] = {
        "as_of": on.isoformat(),
        "form": "comprehensive",
        "profile": "tech_startup",
        "jurisdiction_code": "620102",
        "operating_since": (on - timedelta(days=800)).isoformat(),
        "operator": {
            "kind": "enterprise",
            "registered_in_lanzhou": True,
            "independent_legal_person": True,
            "established_on": (on - timedelta(days=1500)).isoformat(),
            "innovative_enterprise": True,
            "stable_revenue_evidence": True,
        },
        "premises": {
            "total_area_m2": "1500",
            "service_area_m2": "1200",
            "office_and_public_service_area_m2": "1300",
            "independent_workstations": 60,
            "tenure": "leased",
            "lease_start": (on - timedelta(days=400)).isoformat(),
            "lease_end": (on + timedelta(days=1500)).isoformat(),
        },
        "online_platform": {
            "operates_online_platform": True,
            "connects_resources": True,
            "offers_incubation_services": True,
        },
        "facilities": {
            name: True
            for name in (
                "power",
                "water",
                "fire_safety",
                "telecoms",
                "network",
                "ready_to_move_in",
                "free_or_low_cost_space",
            )
        },
        "incubation": {"teams_in_incubation": 25, "teams_in_supported_fields": 22},
        "staff": {"management_staff": 6, "management_staff_qualified": 5},
        "management_rules": {
            name: True
            for name in (
                "admission_assessment",
                "financial_management",
                "daily_services",
                "exit_mechanism",
            )
        },
        "services": {
            "basic_services": ALL_BASIC,
            "startup_services": ALL_STARTUP,
            "coordinated_services": ALL_COORDINATED,
            "online_and_offline": True,
            "training_activities_past_year": 24,
        },
        "financing": {
            "seed_fund": True,
            "financing_modes": ["angel_investment", "loans"],
            "invested_amount_fen": 300_000_000,
        },
        "compliance": {"incidents": [], "listings": []},
        "specialisation": {
            "strategic_emerging_industry_subfield": "新材料·稀土功能材料",
            "rd_and_industrialisation_evidence": True,
        },
    }
    return _merge(base, overrides)


def request(on: date = APPLICATION_DATE, **overrides: Any) -> dict[str, Any]:
    """An evaluation request body."""
    return {"application_date": on.isoformat(), "facts": complete_facts(on, **overrides)}


def cohort(size: int, seed: int = 2018, on: date = APPLICATION_DATE) -> list[dict[str, Any]]:
    """``size`` varied, valid evaluation requests around the 2018 thresholds (deterministic)."""
    rng = random.Random(seed)
    items = []
    for index in range(size):
        form = rng.choices(["comprehensive", "specialised", "virtual"], [6, 3, 1])[0]
        total = rng.randint(400, 3000)
        service = rng.randint(int(total * 0.5), total)
        office = rng.randint(int(total * 0.7), total)
        overrides: dict[str, Any] = {
            "space_id": f"00000000-0000-4000-8000-{index:012d}",
            "form": form,
            "operating_since": (on - timedelta(days=rng.randint(200, 3000))).isoformat(),
            "premises": {
                "total_area_m2": str(total),
                "service_area_m2": str(service),
                "office_and_public_service_area_m2": str(office),
                "independent_workstations": rng.randint(10, 120),
            },
            "incubation": {
                "teams_in_incubation": (teams := rng.randint(5, 40)),
                "teams_in_supported_fields": rng.randint(max(0, teams - 8), teams),
            },
            "staff": {
                "management_staff": (staff := rng.randint(2, 9)),
                "management_staff_qualified": rng.randint(max(0, staff - 2), staff),
            },
            "financing": {"invested_amount_fen": rng.randint(0, 500_000_000)},
        }
        if rng.random() < 0.05:
            overrides["compliance"] = {
                "incidents": [
                    {
                        "kind": "safety",
                        "severity": "major",
                        "occurred_on": (on - timedelta(days=rng.randint(1, 300))).isoformat(),
                    }
                ],
                "listings": [],
            }
        items.append(request(on, **overrides))
    return items
