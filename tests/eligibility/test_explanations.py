"""Chinese explanations speak Chinese: no enumeration code of the contracts in any of them.

Every rule's outcomes are produced (met, not met, missing, needs review, for every form, every
operator kind, every incident kind and severity, every list) and every Chinese sentence of the
decision is read: the summary, each condition's, each finding's, the priority's. A fact path
cited after its Chinese label for a missing fact, ``服务场地面积（premises.service_area_m2）``,
names the field to send and stays; no other ASCII word may appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Any

import pytest

from services.eligibility.assessments.model import IndicatorFact
from services.eligibility.assessments.service import SchemeBook, score
from services.eligibility.engine.evaluate import Decision, evaluate
from services.eligibility.rulesets.service import RulesetBook
from shared.contracts import facts as facts_contract
from shared.contracts import spaces as spaces_contract
from shared.contracts.assessment import AssessmentFacts
from shared.contracts.facts import (
    BasicService,
    CoordinatedService,
    IncidentKind,
    ListKind,
    OperatorKind,
    Severity,
    SpaceFacts,
    StartupService,
)
from tests.eligibility.factories import APPLICATION_DATE, complete_facts

BOOK = RulesetBook.load()
ON = APPLICATION_DATE
ENUM_CODES = {
    member.value
    for module in (facts_contract, spaces_contract)
    for enum in vars(module).values()
    if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
    for member in enum
} | {"innovative_enterprise"}  # the applicant kind the rulesets name besides OperatorKind
# Words of two letters or more: condition ids (C2, S1) are how the Measures number them.
ASCII_WORD = re.compile(r"[A-Za-z_]{2,}[A-Za-z_0-9]*")


def _facts() -> Iterator[SpaceFacts]:
    for form in ("comprehensive", "specialised", "virtual"):
        yield SpaceFacts(as_of=ON, form=form)  # type: ignore[arg-type]  # every fact missing
        yield SpaceFacts.model_validate(complete_facts(form=form))
    for kind in [*OperatorKind, None]:
        for innovative in (True, False, None):
            yield SpaceFacts.model_validate(
                complete_facts(
                    form="specialised",
                    operator={"kind": kind, "innovative_enterprise": innovative},
                    specialisation={
                        "strategic_emerging_industry_subfield": "新材料",
                        "rd_and_industrialisation_evidence": innovative,
                    },
                )
            )
    lacking: dict[str, Any] = {
        "basic_services": [BasicService.BROADBAND],
        "startup_services": [],
        "coordinated_services": [CoordinatedService.RD_DESIGN],
        "online_and_offline": False,
        "training_activities_past_year": 0,
    }
    incidents = [
        {"kind": kind, "severity": severity, "occurred_on": "2025-06-01"}
        for kind in IncidentKind
        for severity in Severity
    ]
    listings = [{"list": kind, "listed_on": "2025-06-01"} for kind in ListKind]
    yield SpaceFacts.model_validate(
        complete_facts(
            services=lacking,
            compliance={"incidents": incidents, "listings": listings},
            premises={
                "service_area_m2": "480",
                "independent_workstations": 19,
                "office_and_public_service_area_m2": "1100",
                "lease_start": "2025-06-01",
                "lease_end": "2026-03-01",
            },
            operating_since="2025-06-01",
            operator={
                "registered_in_lanzhou": False,
                "established_on": "2025-06-01",
                "stable_revenue_evidence": False,
            },
            facilities={"water": False},
            incubation={"teams_in_supported_fields": 3},
            staff={"management_staff_qualified": 1},
            management_rules={"exit_mechanism": False},
            financing={"seed_fund": False, "financing_modes": [], "invested_amount_fen": 1},
        )
    )
    yield SpaceFacts.model_validate(
        complete_facts(
            services={"startup_services": [StartupService.MENTORING]},
            premises={"tenure": "owned", "lease_start": None, "lease_end": None},
        )
    )


def _sentences(decision: Decision) -> Iterator[tuple[str, str, list[str]]]:
    """(where, Chinese text, fact paths it may cite) for every Chinese sentence."""
    yield "summary", decision.summary_zh, []
    for condition in decision.conditions:
        yield condition.id, condition.explanation_zh, condition.missing_facts
        for finding in condition.findings:
            yield f"{condition.id}.{finding.code}", finding.explanation_zh, finding.missing_facts
    if decision.priority is not None:
        yield "priority", decision.priority.explanation_zh, []


@pytest.mark.parametrize("ruleset_id", ["lz-measures-2018", "lz-measures-draft-stricter"])
def test_no_chinese_explanation_holds_an_english_code(ruleset_id: str) -> None:
    loaded = BOOK.get(ruleset_id)
    seen: set[str] = set()
    for facts in _facts():
        decision = evaluate(facts, ON, loaded.rules, loaded.content_hash)
        for where, text, cited in _sentences(decision):
            seen.add(where)
            for path in cited:
                text = text.replace(f"（{path}）", "")
            words = ASCII_WORD.findall(text)
            assert not set(words) & ENUM_CODES, (where, text)
            assert words == [], (where, text)
    # Every kind of outcome was read: each condition met, not met and missing somewhere.
    assert {"C7.coordinated_services", "C9.no_disqualifying_incident", "S1.applicant_kind"} <= seen


def test_the_codes_read_are_the_ones_explanations_used_to_show() -> None:
    """The check above would have caught what the issue saw: codes of services, operator
    kinds, incidents and lists are among the enumeration codes it looks for."""
    assert {"certification_testing", "rd_design", "public_institution", "safety", "major"} <= (
        ENUM_CODES
    )
    assert date(2025, 6, 1) < ON


# --- annual assessments --------------------------------------------------------------------

SCHEMES = SchemeBook.load()
ASSESSMENT_CODES = ENUM_CODES | {fact.value for fact in IndicatorFact} | {"incidents", "listings"}


def _assessment_facts() -> Iterator[AssessmentFacts]:
    yield AssessmentFacts(year=2025)  # every fact missing
    yield AssessmentFacts(
        year=2025,
        training_sessions=24,
        training_attendance=700,
        mentoring_sessions=0,
        teams_in_incubation=20,
        new_teams_admitted=10,
        graduated_teams_registered_enterprises=5,
        financing_obtained_fen=300_000_000,
        incidents=[
            {"kind": kind, "severity": severity, "occurred_on": "2025-06-01"}  # type: ignore[misc]
            for kind in IncidentKind
            for severity in Severity
        ],
        listings=[{"list": kind, "listed_on": "2025-06-01"} for kind in ListKind],  # type: ignore[misc]
    )


def test_no_chinese_assessment_sentence_holds_an_english_code() -> None:
    """A missing fact is named by its Chinese label, its field cited after it."""
    for loaded in SCHEMES.all():
        for facts in _assessment_facts():
            of_year = facts.model_copy(update={"year": loaded.scheme.year})
            result = score(of_year, loaded.scheme, "h")
            parts = [*result.indicators, *result.overriding_conditions]
            texts = [(p.id, p.explanation_zh, p.missing_facts) for p in parts]
            texts.append(("summary", result.summary_zh, result.missing_facts))
            for where, text, cited in texts:
                for path in cited:
                    text = text.replace(f"（{path}）", "")
                words = set(ASCII_WORD.findall(text))
                assert not words & ASSESSMENT_CODES, (where, text)
