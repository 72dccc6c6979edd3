"""The eligibility benchmark (``make bench-eligibility``): figures beside baselines from one run.

Run from the repository root as ``python -m tests.bench.eligibility`` (``--profile`` instead
profiles the in-process loop with cProfile and prints where the time goes). On the same
10,000 deterministic fact sets it measures:

- in-process decisions per second with the full explanation (``service.decide``), against
  the same nine automatic checks as a GoRules ZEN decision graph (``zen-engine``, a
  benchmark-only dependency) whose thresholds are templated from the loaded 2018 ruleset,
  both on the first 3,000 items after the same 300-item warm-up, best of five rounds taken in
  turns (engine, ZEN; then ZEN, engine; ...: a change in the machine's load reaches both, and
  neither's results are alive while the other runs), the answers compared untimed, with the
  harness's own inputs frozen out of the cyclic GC (both engines are also timed without that,
  and a line splits a decision's time between the input hash and the conditions);
- over HTTP, against a real uvicorn process on a fresh database: one-at-a-time latency of
  ``POST /v1/evaluations`` and ``POST /v1/what-if`` beside a bare ``GET /healthz`` (the floor
  of HTTP cost on the same server), then ``POST /v1/evaluations/batch`` and ``POST /v1/impact``
  with all 10,000 items.

Prints a table of figures, targets and whether each is met. It asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import itertools
import json
import math
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from services.eligibility.config import EligibilitySettings
from services.eligibility.engine.canonical_facts import facts_json_bytes, input_hash_of
from services.eligibility.engine.evaluate import Decision, judge_conditions
from services.eligibility.engine.outcome import OverallVerdict, Verdict
from services.eligibility.evaluations.schemas import EvaluationRequest
from services.eligibility.evaluations.service import decide
from services.eligibility.rulesets.model import ConditionRule, Ruleset
from services.eligibility.rulesets.service import LoadedRuleset, RulesetBook
from shared import migrate
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.contracts.facts import FacilitiesFacts, ManagementRulesFacts
from shared.contracts.spaces import SpaceForm
from shared.settings import DEV_JWT_SECRET
from tests.bench.servers import uvicorn
from tests.eligibility.factories import APPLICATION_DATE, cohort
from tests.eligibility.factories import request as request_body

COHORT_SIZE = 10_000
INPROCESS_WARMUP = 300
INPROCESS_TIMED = 3_000  # the same items for the engine and for ZEN
# In-process figures are the best of this many rounds (other work shares the CPUs); the engine
# and ZEN take turns, round by round, so a change in the machine's load reaches both alike.
ROUNDS = 5
HTTP_WARMUP = 50
HTTP_TIMED = 1_000
BULK_TIMEOUT_SECONDS = 600.0

BASELINE_RULESET = "lz-measures-2018"
CANDIDATE_RULESET = "lz-measures-draft-stricter"
NINE = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9")

# Targets from the issue.
HTTP_P95_TARGET_MS = 10.0
IMPACT_TARGET_S = 2.0

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


# ---------------------------------------------------------------------------------------------
# The ZEN peer: the nine conditions' automatic checks as a JSON decision graph
# ---------------------------------------------------------------------------------------------

# The check each condition of the ruleset must name for the graph below to be the same rule.
_GRAPH_ENCODES = {
    "C1": "independent_legal_entity",
    "C2": "fixed_premises",
    "C3": "incubated_teams",
    "C4": "supporting_facilities",
    "C5": "management_team",
    "C6": "management_rules",
    "C7": "incubation_services",
    "C8": "financing_channel",
    "C9": "clean_record",
}
# Least to most severe, as the Measures rank incidents (一般 < 严重 < 重大).
_SEVERITY_ORDER = ("ordinary", "serious", "major")
_FACILITIES = tuple(FacilitiesFacts.model_fields)
_MANAGEMENT_RULES = tuple(ManagementRulesFacts.model_fields)
# What the graph answers for a condition whose automatic checks all pass (the engine then says
# met or needs_review, as a person still judges the rest).
ZEN_PASSES = "passes_automatic_checks"


def _lit(value: Any) -> str:
    """A ZEN literal for a number, a string or a list of strings."""
    return json.dumps(value, ensure_ascii=False)


def _tri(missing: str, ok: str) -> str:
    """One test: facts missing, else met or not met (the engine's order inside one finding)."""
    return f'({missing}) ? "missing_facts" : (({ok}) ? "met" : "not_met")'


def _required(field: str) -> str:
    return _tri(f"{field} == null", f"{field} == true")


def _at_least(field: str, bound: Any) -> str:
    return _tri(f"{field} == null", f"{field} >= {_lit(bound)}")


def _months(parameter: Any) -> int:
    """A period parameter in months. ZEN cannot add years to 29 February; 12 months agree with
    the engine's calendar (the last day of a month without that day)."""
    if parameter.unit == "years":
        return int(parameter.value) * 12
    assert parameter.unit == "months", parameter.unit
    return int(parameter.value)


def _period_complete(field: str, parameter: Any) -> str:
    return _tri(f"{field} == null", f'd({field}).add({_months(parameter)}, "M") <= d(on)')


def _includes(field: str, items: Sequence[str]) -> str:
    return _tri(f"{field} == null", f"all({_lit(sorted(items))}, # in {field})")


def _all_true(field: str) -> str:
    return (
        f'some({field}, # == false) ? "not_met" : '
        f'(some({field}, # == null) ? "missing_facts" : "met")'
    )


def _checks(rule: ConditionRule) -> str:
    """The condition's automatic tests as a ZEN list of verdicts, thresholds from the ruleset."""
    p = rule.parameters
    if rule.id == "C1":
        tests = [
            _required("registered_in_lanzhou"),
            _required("independent_legal_person"),
            _period_complete("established_on", p["operator_min_age"]),
            _period_complete("operating_since", p["space_min_operation"]),
            _required("stable_revenue_evidence"),
        ]
    elif rule.id == "C2":
        share = _tri(
            "office_and_public_area == null or total_area == null",
            f"total_area > 0 and office_and_public_area * 100 >= "
            f"{_lit(p['min_office_and_public_share'].value)} * total_area",
        )
        lease_months = _months(p["min_lease_term"])
        lease = (
            'tenure == null ? "missing_facts" : (tenure != "leased" ? "met" : '
            + _tri(
                "lease_start == null or lease_end == null",
                f'd(lease_end) >= d(lease_start).add({lease_months}, "M").sub(1, "d") '
                "and d(lease_start) <= d(on) and d(on) <= d(lease_end)",
            )
            + ")"
        )
        virtual = [
            _required("operates_online_platform"),
            _required("connects_resources"),
            _required("offers_incubation_services"),
        ]
        comprehensive = [
            _at_least("service_area", p["comprehensive_min_service_area"].value),
            _at_least("workstations", p["comprehensive_min_workstations"].value),
            share,
            lease,
        ]
        specialised = [
            _at_least("service_area", p["specialised_min_service_area"].value),
            share,
            lease,
        ]
        return (
            f'form == "{SpaceForm.VIRTUAL.value}" ? [{", ".join(virtual)}] : '
            f'(form == "{SpaceForm.COMPREHENSIVE.value}" ? [{", ".join(comprehensive)}] : '
            f"[{', '.join(specialised)}])"
        )
    elif rule.id == "C3":
        tests = [_at_least("teams_in_supported_fields", p["min_teams"].value)]
    elif rule.id == "C4":
        tests = [_all_true("facilities")]
    elif rule.id == "C5":
        tests = [_at_least("management_staff_qualified", p["min_staff"].value)]
    elif rule.id == "C6":
        tests = [_all_true("management_rules")]
    elif rule.id == "C7":
        tests = [
            _includes("basic_services", p["basic_services"].value),
            _includes("startup_services", p["startup_services"].value),
            _includes("coordinated_services", p["coordinated_services"].value),
            _required("online_and_offline"),
            _at_least("training_activities_past_year", p["min_training_activities"].value),
        ]
    elif rule.id == "C8":
        tests = [
            _required("seed_fund"),
            _tri(
                "financing_modes == null",
                f"len(financing_modes) >= {_lit(p['min_financing_modes'].value)}",
            ),
        ]
    else:  # C9
        window_start = f'd(on).startOf("y").sub({int(p["previous_calendar_years"].value)}, "y")'
        kinds = []
        for kind, threshold in sorted(dict(p["disqualifying_incidents"].value).items()):
            at_or_above = list(_SEVERITY_ORDER[_SEVERITY_ORDER.index(threshold) :])
            kinds.append(f"(#.kind == {_lit(kind)} and #.severity in {_lit(at_or_above)})")
        incident = (
            f"d(#.occurred_on) >= {window_start} and d(#.occurred_on) <= d(on) "
            f"and ({' or '.join(kinds)})"
        )
        listing = (
            f"#.list in {_lit(sorted(p['disqualifying_lists'].value))} and "
            "d(#.listed_on) <= d(on) and (#.removed_on == null or d(#.removed_on) > d(on))"
        )
        tests = [
            _tri("incidents == null", f"not some(incidents, {incident})"),
            _tri("listings == null", f"not some(listings, {listing})"),
        ]
    return f"[{', '.join(tests)}]"


def _node(node_id: str, kind: str, name: str, content: dict[str, Any] | None = None) -> Any:
    node: dict[str, Any] = {"id": node_id, "type": kind, "name": name, "position": {"x": 0, "y": 0}}
    if content is not None:
        node["content"] = content
    return node


def zen_graph(rules: Ruleset) -> dict[str, Any]:
    """input -> checks (expressions) -> conditions (expressions) -> verdict (table) -> output."""
    by_id = {rule.id: rule for rule in rules.conditions}
    every_form = set(SpaceForm)
    for condition_id, check in _GRAPH_ENCODES.items():
        rule = by_id[condition_id]
        if rule.check != check or set(rule.applies_to) != every_form:
            raise SystemExit(
                f"{rules.id} {condition_id} is now {rule.check} for {rule.applies_to}; the ZEN "
                "graph in tests/bench/eligibility.py encodes the 2018 shape and must be updated"
            )
    checks = [
        {"id": f"checks-{c}", "key": c, "value": _checks(by_id[c])} for c in NINE
    ]  # each condition's list of test verdicts
    combined = [
        {
            "id": f"condition-{c}",
            "key": c,
            "value": f'some({c}, # == "not_met") ? "not_met" : '
            f'(some({c}, # == "missing_facts") ? "missing_facts" : "met")',
        }
        for c in NINE
    ]
    verdict_table = {
        "hitPolicy": "first",
        "passThrough": True,
        "inputs": [{"id": "in-conditions", "name": "conditions", "field": f"[{', '.join(NINE)}]"}],
        "outputs": [{"id": "out-verdict", "name": "verdict", "field": "verdict"}],
        "rules": [
            {"_id": "not-eligible", "in-conditions": 'some($, # == "not_met")',
             "out-verdict": _lit(OverallVerdict.NOT_ELIGIBLE.value)},
            {"_id": "incomplete", "in-conditions": 'some($, # == "missing_facts")',
             "out-verdict": _lit(OverallVerdict.INCOMPLETE.value)},
            {"_id": "passes", "in-conditions": "", "out-verdict": _lit(ZEN_PASSES)},
        ],
    }  # fmt: skip
    nodes = [
        _node("request", "inputNode", "request"),
        _node("checks", "expressionNode", "automatic checks", {"expressions": checks}),
        _node("conditions", "expressionNode", "conditions C1-C9", {"expressions": combined}),
        _node("verdict", "decisionTableNode", "overall verdict", verdict_table),
        _node("response", "outputNode", "response"),
    ]
    order = ["request", "checks", "conditions", "verdict", "response"]
    edges = [
        {"id": f"{a}->{b}", "sourceId": a, "targetId": b, "type": "edge"}
        for a, b in itertools.pairwise(order)
    ]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def flatten(item: dict[str, Any]) -> dict[str, Any]:
    """A request body (JSON) reduced to the fields the graph reads; areas as numbers."""
    facts = item["facts"]
    operator = facts.get("operator", {})
    premises = facts.get("premises", {})
    platform_ = facts.get("online_platform", {})
    facilities = facts.get("facilities", {})
    rules = facts.get("management_rules", {})
    services = facts.get("services", {})
    financing = facts.get("financing", {})
    compliance = facts.get("compliance", {})
    return {
        "on": item["application_date"],
        "form": facts["form"],
        "operating_since": facts.get("operating_since"),
        "registered_in_lanzhou": operator.get("registered_in_lanzhou"),
        "independent_legal_person": operator.get("independent_legal_person"),
        "established_on": operator.get("established_on"),
        "stable_revenue_evidence": operator.get("stable_revenue_evidence"),
        "service_area": _number(premises.get("service_area_m2")),
        "workstations": premises.get("independent_workstations"),
        "office_and_public_area": _number(premises.get("office_and_public_service_area_m2")),
        "total_area": _number(premises.get("total_area_m2")),
        "tenure": premises.get("tenure"),
        "lease_start": premises.get("lease_start"),
        "lease_end": premises.get("lease_end"),
        "operates_online_platform": platform_.get("operates_online_platform"),
        "connects_resources": platform_.get("connects_resources"),
        "offers_incubation_services": platform_.get("offers_incubation_services"),
        "teams_in_supported_fields": facts.get("incubation", {}).get("teams_in_supported_fields"),
        "facilities": [facilities.get(name) for name in _FACILITIES],
        "management_staff_qualified": facts.get("staff", {}).get("management_staff_qualified"),
        "management_rules": [rules.get(name) for name in _MANAGEMENT_RULES],
        "basic_services": services.get("basic_services"),
        "startup_services": services.get("startup_services"),
        "coordinated_services": services.get("coordinated_services"),
        "online_and_offline": services.get("online_and_offline"),
        "training_activities_past_year": services.get("training_activities_past_year"),
        "seed_fund": financing.get("seed_fund"),
        "financing_modes": financing.get("financing_modes"),
        "incidents": compliance.get("incidents"),
        "listings": compliance.get("listings"),
    }


def _engine_as_zen(decision: Decision) -> tuple[str, tuple[str, ...]]:
    """The engine's decision in the graph's terms (automatic checks only)."""
    passed = {Verdict.MET, Verdict.NEEDS_REVIEW}
    verdicts = {c.id: c.verdict for c in decision.conditions}
    conditions = tuple("met" if verdicts[c] in passed else verdicts[c].value for c in NINE)
    overall = decision.verdict
    if overall in (OverallVerdict.ELIGIBLE, OverallVerdict.NEEDS_REVIEW):
        return ZEN_PASSES, conditions
    return overall.value, conditions


def _zen_answer(result: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    return result["verdict"], tuple(result[c] for c in NINE)


def edge_cases() -> list[dict[str, Any]]:
    """Requests the cohort rarely or never holds, to check the graph is the same rule (untimed)."""
    on = APPLICATION_DATE
    leap = date(2025, 2, 28)
    return [
        request_body(
            on, operator={"registered_in_lanzhou": None, "stable_revenue_evidence": False}
        ),
        request_body(leap, operator={"established_on": "2024-02-29"}),
        request_body(leap, operator={"established_on": "2024-03-01"}),
        request_body(on, operating_since="2025-03-16"),
        request_body(on, operating_since="2025-03-17"),
        request_body(on, premises={"total_area_m2": None}),
        request_body(on, premises={"office_and_public_service_area_m2": "1199.99"}),
        request_body(on, premises={"service_area_m2": "499.99", "independent_workstations": 20}),
        request_body(on, premises={"tenure": "owned", "lease_start": None, "lease_end": None}),
        request_body(on, premises={"tenure": None}),
        request_body(on, premises={"lease_start": "2026-03-17", "lease_end": "2029-03-16"}),
        request_body(on, premises={"lease_start": "2023-03-17", "lease_end": "2026-03-15"}),
        request_body(on, premises={"lease_start": "2024-03-17", "lease_end": "2027-03-15"}),
        request_body(on, premises={"lease_end": None}),
        request_body(on, form="virtual", online_platform={"connects_resources": None}),
        request_body(on, form="virtual", online_platform={"offers_incubation_services": False}),
        request_body(on, form="specialised", premises={"service_area_m2": "999"}),
        request_body(on, form="specialised", premises={"service_area_m2": "1000"}),
        request_body(on, facilities={"power": None}),
        request_body(on, facilities={"water": False, "network": None}),
        request_body(on, incubation={"teams_in_supported_fields": None}),
        request_body(on, staff={"management_staff_qualified": 2}),
        request_body(on, management_rules={"exit_mechanism": None}),
        request_body(
            on, services={"basic_services": ["broadband"], "training_activities_past_year": 0}
        ),
        request_body(on, services={"coordinated_services": None, "online_and_offline": False}),
        request_body(on, financing={"seed_fund": None, "financing_modes": []}),
        request_body(on, financing={"financing_modes": None}),
        request_body(on, compliance={"incidents": None, "listings": None}),
        request_body(
            on, compliance={"incidents": [_incident("environmental", "serious", "2025-01-01")]}
        ),
        request_body(
            on, compliance={"incidents": [_incident("environmental", "serious", "2024-12-31")]}
        ),
        request_body(on, compliance={"incidents": [_incident("safety", "serious", "2026-01-05")]}),
        request_body(on, compliance={"incidents": [_incident("quality", "major", "2026-03-16")]}),
        request_body(
            on, compliance={"listings": [_listing("abnormal_operation", "2025-06-01", None)]}
        ),
        request_body(
            on, compliance={"listings": [_listing("serious_violation", "2025-06-01", "2026-03-16")]}
        ),
        request_body(
            on, compliance={"listings": [_listing("serious_violation", "2025-06-01", "2026-03-17")]}
        ),
    ]


def _incident(kind: str, severity: str, occurred_on: str) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, "occurred_on": occurred_on}


def _listing(kind: str, listed_on: str, removed_on: str | None) -> dict[str, Any]:
    return {"list": kind, "listed_on": listed_on, "removed_on": removed_on}


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    figure: str
    target: str = "—"
    meets: bool | None = None
    note: str = ""


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} decisions/s"


def _percentile(sorted_ms: Sequence[float], p: float) -> float:
    """Nearest rank."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def _latencies(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return _percentile(ordered, 50), _percentile(ordered, 95), _percentile(ordered, 99)


def _timed_loop(function: Callable[[Any], Any], inputs: Sequence[Any]) -> tuple[float, list[Any]]:
    """The best of ``ROUNDS`` timings of ``function`` over ``inputs``, and its results."""
    best, _, results = _timed_rounds(function, inputs)
    return best, results


def _timed_rounds(
    function: Callable[[Any], Any], inputs: Sequence[Any]
) -> tuple[float, float, list[Any]]:
    """The best and the first of ``ROUNDS`` timings of ``function`` over ``inputs``, and its
    results (the first round shows what a run costs before any round has seen these inputs)."""
    times, results = [], []
    for _ in range(ROUNDS):
        results = []
        start = time.perf_counter()
        for value in inputs:
            results.append(function(value))
        times.append(time.perf_counter() - start)
    return min(times), times[0], results


@dataclass
class Turns:
    """Each contender's time for each round, taken in turns."""

    seconds: dict[str, list[float]]

    def best(self, name: str) -> float:
        return min(self.seconds[name])

    def first(self, name: str) -> float:
        return self.seconds[name][0]

    def ratios(self, faster: str, slower: str) -> list[float]:
        """Per round: how many times ``slower``'s time ``faster``'s is (above 1: faster)."""
        return [s / f for f, s in zip(self.seconds[faster], self.seconds[slower], strict=True)]


def _in_turns(contenders: dict[str, tuple[Callable[[Any], Any], Sequence[Any]]]) -> Turns:
    """``ROUNDS`` rounds; in each, every contender runs over all its inputs, keeping its
    results while it runs (as a caller would), and dropping them before the next one starts,
    so no contender's collections walk another's results. Who goes first alternates."""
    names = list(contenders)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(ROUNDS):
        for name in names if round_ % 2 == 0 else names[::-1]:
            function, inputs = contenders[name]
            results: list[Any] = []
            start = time.perf_counter()
            for value in inputs:
                results.append(function(value))
            seconds[name].append(time.perf_counter() - start)
            del results
    return Turns(seconds)


@contextlib.contextmanager
def _setup_heap_frozen() -> Iterator[int]:
    """The benchmark's own inputs (10,000 request bodies, validated requests, ZEN contexts)
    moved out of the cyclic garbage collector's reach while timing, as a service's heap of
    long-lived objects would be: without this, every collection the engine's allocations
    trigger also walks a million objects that belong to the harness, not to the decision."""
    gc.collect()
    gc.freeze()
    try:
        yield gc.get_freeze_count()
    finally:
        gc.unfreeze()


def measure_in_process(
    book: RulesetBook,
    ruleset: LoadedRuleset,
    requests: list[EvaluationRequest],
    bodies: list[dict[str, Any]],
) -> tuple[list[Row], dict[str, Any]]:
    try:
        import zen  # the benchmark-only dependency; the services never import it
    except ImportError:
        raise SystemExit(
            "zen-engine is not installed: run `make bench-eligibility` (requirements-bench.lock)"
        ) from None

    graph = zen_graph(ruleset.rules)
    # The fastest documented single-decision path: a loader handing the engine pre-compiled
    # content. (create_decision(...).evaluate costs about 0.3 ms more per call in zen-engine 2.)
    content = zen.ZenDecisionContent(json.dumps(graph, ensure_ascii=False))
    engine = zen.ZenEngine({"loader": lambda key: content})

    def zen_decide(context: dict[str, Any]) -> Any:
        return engine.evaluate("eligibility", context)

    def ours(request: EvaluationRequest) -> Decision:
        return decide(book, request)

    timed = requests[:INPROCESS_TIMED]
    flatten_seconds, flat = _timed_loop(flatten, bodies[:INPROCESS_TIMED])
    for warm in requests[:INPROCESS_WARMUP]:
        ours(warm)
    for context in flat[:INPROCESS_WARMUP]:
        zen_decide(context)

    contenders = {"engine": (ours, timed), "zen": (zen_decide, flat)}
    # Both engines timed as the heap stands (the harness's inputs in the collector's reach) ...
    raw = _in_turns(contenders)
    raw_engine_seconds, raw_zen_seconds = raw.best("engine"), raw.best("zen")
    # ... and with the harness's inputs frozen out of it, which the rows report.
    with _setup_heap_frozen() as frozen:
        turns = _in_turns(contenders)
        engine_seconds, first_seconds = turns.best("engine"), turns.first("engine")
        zen_seconds = turns.best("zen")
        # Where a decision's time goes (the same items, best of the rounds).
        hash_seconds, _ = _timed_loop(
            lambda r: input_hash_of(facts_json_bytes(r.facts), r.application_date), timed
        )
        conditions = ruleset.rules.conditions
        conditions_seconds, _ = _timed_loop(
            lambda r: judge_conditions(r.facts, r.application_date, conditions), timed
        )
    # The answers compared below, untimed.
    decisions = [ours(request) for request in timed]
    answers = [zen_decide(context) for context in flat]

    agree = sum(
        _engine_as_zen(ours) == _zen_answer(theirs["result"])
        for ours, theirs in zip(decisions, answers, strict=True)
    )
    edges = edge_cases()
    edges_agree = sum(
        _engine_as_zen(decide(book, EvaluationRequest.model_validate(body)))
        == _zen_answer(zen_decide(flatten(body))["result"])
        for body in edges
    )
    zen_rate = len(flat) / zen_seconds
    engine_rate = len(timed) / engine_seconds
    ratios = turns.ratios("engine", "zen")
    each = engine_seconds / len(timed) * 1e6
    rows = [
        Row(
            f"in-process, full explanation (best of {ROUNDS} x {len(timed):,})",
            _rate(len(timed), engine_seconds),
            f">= ZEN ({zen_rate:,.0f}/s)",
            engine_rate >= zen_rate,
            f"{each:,.0f} µs each; {engine_rate / zen_rate:.2f}x ZEN; round by round "
            f"{min(ratios):.2f}x to {max(ratios):.2f}x (median {statistics.median(ratios):.2f}x); "
            f"first round {_rate(len(timed), first_seconds)}",
        ),
        Row(
            f"ZEN graph, C1-C9 automatic, no explanation (best of {ROUNDS} x {len(flat):,})",
            _rate(len(flat), zen_seconds),
            note=f"{zen_seconds / len(flat) * 1e6:,.0f} µs each; flattening excluded",
        ),
        Row(
            "  of a decision: facts' canonical JSON + input hash / twelve conditions",
            f"{hash_seconds / len(timed) * 1e6:,.0f} / "
            f"{conditions_seconds / len(timed) * 1e6:,.0f} µs",
            note="the rest: priority, summary, the decision itself",
        ),
        Row(
            "  flattening facts for ZEN (excluded above)",
            f"{flatten_seconds / len(flat) * 1e6:,.1f} µs/item",
        ),
        Row(
            f"  both again, harness inputs left in the GC's reach ({frozen:,} objects "
            "frozen above)",
            f"{_rate(len(timed), raw_engine_seconds)} vs ZEN {_rate(len(flat), raw_zen_seconds)}",
            note=f"{len(timed) / raw_engine_seconds / (len(flat) / raw_zen_seconds):.2f}x ZEN",
        ),
    ]
    extra = {
        "agree": agree + edges_agree,
        "compared": len(flat) + len(edges),
        "edge_cases": f"{edges_agree} of {len(edges)}",
        "graph_bytes": len(json.dumps(graph, ensure_ascii=False).encode()),
        "verdicts": Counter(d.verdict.value for d in decisions),
    }
    return rows, extra


def profile_in_process(requests: list[EvaluationRequest], book: RulesetBook) -> None:
    for request in requests[:INPROCESS_WARMUP]:
        decide(book, request)
    timed = requests[:INPROCESS_TIMED]
    profiler = cProfile.Profile()
    profiler.enable()
    for request in timed:
        decide(book, request)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    print(f"\ncProfile of decide() over {len(timed):,} decisions, by own time:")
    stats.sort_stats("tottime").print_stats(25)
    print("by cumulative time:")
    stats.sort_stats("cumulative").print_stats(30)


# ---------------------------------------------------------------------------------------------
# The service as a real process
# ---------------------------------------------------------------------------------------------


async def _pg_exec(statement: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _pg_version() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    try:
        return str(await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    """A migrated database of its own: PostgreSQL when reachable, else a temporary SQLite file."""
    version = asyncio.run(_pg_version())
    if version is not None:
        name = f"lzms_bench_{uuid.uuid4().hex[:10]}"
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
        try:
            url = f"{base}/{name}"
            migrate.upgrade("eligibility", url)
            yield url, f"PostgreSQL {version}, database {name} (dropped at the end)"
        finally:
            asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    with tempfile.TemporaryDirectory(prefix="lzms-bench-") as directory:
        path = Path(directory) / "eligibility.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade("eligibility", url)
        yield url, f"SQLite file {path} (PostgreSQL at {PG_ADMIN_DSN} unreachable)"


@contextlib.contextmanager
def running_service(env: dict[str, str]) -> Iterator[str]:
    """The eligibility service under uvicorn on a free localhost port; stopped on the way out."""
    with uvicorn("services.eligibility.app:create_app", env) as port:
        yield f"http://127.0.0.1:{port}"


def _one_at_a_time(
    client: httpx.Client, method: str, path: str, bodies: Sequence[bytes | None], expect: int
) -> list[float]:
    """Milliseconds per request, strictly sequential, after a warm-up of the same requests."""
    headers = {"content-type": "application/json"}
    samples: list[float] = []
    for index in range(HTTP_WARMUP + HTTP_TIMED):
        body = bodies[index % len(bodies)]
        start = time.perf_counter()
        response = client.request(method, path, content=body, headers=headers)
        elapsed = time.perf_counter() - start
        if response.status_code != expect:
            raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text}")
        if index >= HTTP_WARMUP:
            samples.append(elapsed * 1000)
    return samples


def _latency_row(label: str, samples: list[float], target_ms: float | None) -> Row:
    p50, p95, p99 = _latencies(samples)
    return Row(
        f"{label} p50/p95/p99 ({len(samples):,} one at a time)",
        f"{p50:.2f} / {p95:.2f} / {p99:.2f} ms",
        "—" if target_ms is None else f"p95 < {target_ms:g} ms",
        None if target_ms is None else p95 < target_ms,
    )


def measure_http(bodies: list[dict[str, Any]]) -> tuple[list[Row], str]:
    env = {
        **os.environ,
        "ELIGIBILITY_ENV": "dev",
        "ELIGIBILITY_JWT_ALGORITHM": "HS256",
        "ELIGIBILITY_JWT_SECRET": DEV_JWT_SECRET,
        "ELIGIBILITY_LOG_LEVEL": os.environ.get("ELIGIBILITY_LOG_LEVEL", "INFO"),
    }
    rows: list[Row] = []
    with (
        fresh_database() as (url, database),
        running_service({**env, "ELIGIBILITY_DATABASE_URL": url}) as base_url,
    ):
        settings = EligibilitySettings(database_url=url, env="dev", jwt_secret=DEV_JWT_SECRET)
        token = issue_token(
            settings, role=Role.CITY_ADMIN, subject="bench", name="eligibility benchmark"
        )
        # No registry runs here, and a receipt is filed under a space only once the registry
        # confirms it: the stored decisions name no space.
        singles = [
            json.dumps({**b, "facts": {**b["facts"], "space_id": None}}).encode()
            for b in bodies[: HTTP_WARMUP + HTTP_TIMED]
        ]
        what_ifs = [
            json.dumps({**b, "ruleset_id": BASELINE_RULESET}).encode()
            for b in bodies[: HTTP_WARMUP + HTTP_TIMED]
        ]
        batch = json.dumps({"items": bodies}).encode()
        impact = json.dumps(
            {
                "baseline_ruleset_id": BASELINE_RULESET,
                "candidate_ruleset_id": CANDIDATE_RULESET,
                "items": bodies,
            }
        ).encode()
        with httpx.Client(
            base_url=base_url,
            headers={"authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(30.0, read=BULK_TIMEOUT_SECONDS),
        ) as client:
            health = _one_at_a_time(client, "GET", "/healthz", [None], 200)
            stored = _one_at_a_time(client, "POST", "/v1/evaluations", singles, 201)
            what_if = _one_at_a_time(client, "POST", "/v1/what-if", what_ifs, 200)
            rows.append(_latency_row("GET /healthz (baseline: HTTP floor)", health, None))
            rows.append(_latency_row("POST /v1/evaluations (stored)", stored, HTTP_P95_TARGET_MS))
            rows.append(_latency_row("POST /v1/what-if (not stored)", what_if, HTTP_P95_TARGET_MS))

            headers = {"content-type": "application/json"}
            start = time.perf_counter()
            response = client.post("/v1/evaluations/batch", content=batch, headers=headers)
            batch_seconds = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"batch answered {response.status_code}: {response.text[:2000]}")
            counts = response.json()["counts"]
            assert sum(counts.values()) == len(bodies), counts
            rows.append(
                Row(
                    f"POST /v1/evaluations/batch, {len(bodies):,} items "
                    f"({len(batch) / 2**20:.1f} MiB)",
                    f"{batch_seconds:.2f} s",
                    note=f"{len(bodies) / batch_seconds:,.0f} decisions/s",
                )
            )

            start = time.perf_counter()
            response = client.post("/v1/impact", content=impact, headers=headers)
            impact_seconds = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"impact answered {response.status_code}: {response.text[:2000]}")
            result = response.json()
            assert result["evaluated"] == len(bodies), result["evaluated"]
            rows.append(
                Row(
                    f"POST /v1/impact, {len(bodies):,} spaces, 2018 vs draft",
                    f"{impact_seconds:.2f} s",
                    f"< {IMPACT_TARGET_S:g} s",
                    impact_seconds < IMPACT_TARGET_S,
                    f"{result['changed']:,} change verdict; "
                    f"{2 * len(bodies) / impact_seconds:,.0f} decisions/s",
                )
            )
    return rows, database


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _print_table(rows: list[Row]) -> None:
    headings = ("measure", "figure", "target", "meets target")
    cells = [
        (r.measure, r.figure, r.target, "—" if r.meets is None else ("yes" if r.meets else "NO"))
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headings)]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)))
    print(line)
    for row, cell in zip(rows, cells, strict=True):
        print("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)))
        if row.note:
            print(" " * (widths[0] + 2) + f"({row.note})")
    print(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the in-process loop instead"
    )
    parser.add_argument("--skip-http", action="store_true", help="in-process figures only")
    args = parser.parse_args(argv)

    print(
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} ({platform.python_implementation()}); "
        f"zen-engine {metadata.version('zen-engine')}; load average "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} at start (other work shares the CPUs)",
        flush=True,
    )
    start = time.perf_counter()
    bodies = cohort(COHORT_SIZE, on=APPLICATION_DATE)
    cohort_seconds = time.perf_counter() - start
    start = time.perf_counter()
    requests = [EvaluationRequest.model_validate(body) for body in bodies]
    validate_seconds = time.perf_counter() - start
    book = RulesetBook.load()
    ruleset = book.in_force_on(APPLICATION_DATE)
    assert ruleset.id == BASELINE_RULESET, ruleset.id
    print(
        f"inputs: tests.eligibility.factories.cohort({COHORT_SIZE:,}), application date "
        f"{APPLICATION_DATE.isoformat()}, ruleset in force {ruleset.id} "
        f"({ruleset.content_hash[:12]}); built in {cohort_seconds:.1f} s, validated into "
        f"EvaluationRequest in {validate_seconds:.1f} s "
        f"({validate_seconds / COHORT_SIZE * 1e6:,.0f} µs each, excluded from in-process)",
        flush=True,
    )
    if args.profile:
        profile_in_process(requests, book)
        return 0

    rows, extra = measure_in_process(book, ruleset, requests, bodies)
    print(
        f"in-process: verdicts {dict(extra['verdicts'])}; ZEN graph {extra['graph_bytes']:,} "
        f"bytes of JSON; ZEN and the engine agree on the overall and C1-C9 automatic verdicts "
        f"for {extra['agree']:,} of {extra['compared']:,} items (edge cases: "
        f"{extra['edge_cases']})",
        flush=True,
    )
    database = "not used (--skip-http)"
    if not args.skip_http:
        print("starting the eligibility service (uvicorn) ...", flush=True)
        http_rows, database = measure_http(bodies)
        rows.extend(http_rows)
    print(f"database: {database}\n")
    _print_table(rows)
    if extra["agree"] != extra["compared"]:
        print("WARNING: the ZEN peer disagrees with the engine on some items; see above.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
