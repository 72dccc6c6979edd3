"""The engine's fast paths say exactly what the plain ones said: dates, hashes, whole decisions.

A stored receipt must replay identically under a later engine, so the speed work is pinned to
the output of the engine before it (the digest below was computed by engine 1.0.0 as first
written, with dateutil, pydantic's dump and ``canonical_json``, and taken again for 1.1.0,
whose Chinese sentences name services, applicant kinds, incidents and lists in Chinese where
1.0.0 quoted their codes: the only change in its output).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from dateutil.relativedelta import relativedelta

from services.eligibility.engine.calendar import add_months, add_years, date_text
from services.eligibility.engine.canonical_facts import facts_json, input_hash_of
from services.eligibility.engine.document import decision_json
from services.eligibility.engine.evaluate import (
    _judged,
    decision_document,
    evaluate,
    judge_conditions,
)
from services.eligibility.engine.judge import Judge, _dec
from services.eligibility.engine.outcome import Finding, Verdict, new_finding
from services.eligibility.rulesets.service import RulesetBook
from shared.canonical import canonical_json, sha256_hex
from shared.contracts.facts import SpaceFacts
from tests.eligibility.factories import cohort, complete_facts

BOOK = RulesetBook.load()


def test_month_arithmetic_is_relativedeltas_on_every_day_of_a_decade() -> None:
    day, last = date(2019, 1, 1), date(2031, 12, 31)
    while day <= last:
        for months in (-13, -12, -1, 0, 1, 2, 11, 12, 13, 24, 36):
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)
        for years in (-1, 1, 3, 4):
            assert add_years(day, years) == day + relativedelta(years=years), (day, years)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2025-02-28", 12, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-03-31", 1, "2025-04-30"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
    ],
)
def test_month_ends(start: str, months: int, end: str) -> None:
    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(end)


def test_engine_constructors_make_the_frozen_dataclasses() -> None:
    made = new_finding("code", Verdict.MET, {"a": "1"}, None, None, [], "中", "en")
    plain = Finding("code", Verdict.MET, {"a": "1"}, None, None, [], "中", "en")
    assert type(made) is Finding
    assert made == plain
    assert repr(made) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.code = "other"  # type: ignore[misc]


def test_date_text_is_isoformat() -> None:
    day, last = date(1899, 1, 1), date(2201, 1, 31)
    while day <= last:
        assert date_text(day) == day.isoformat(), day
        day += timedelta(days=1)
    for day in (date.min, date(1000, 2, 28), date.max):
        assert date_text(day) == day.isoformat()


def test_decimal_text_is_the_normalised_plain_text() -> None:
    """``_dec`` (from ``str()`` where that is plain) equals ``format(normalize(), "f")``."""
    rng = random.Random(7)
    texts = ["0", "-0", "0.00", "-0.00", "1300", "480.50", "100.00", "1E+3", "2E+3", "0.000001"]
    texts += ["1e-7", "12.5", "0.10", "NaN", "Infinity", "123456789012.34", "9" * 30 + ".9"]
    for _ in range(20_000):
        value = Decimal(rng.randint(0, 10**7)) / Decimal(rng.choice([1, 10, 100, 1000, 7, 3]))
        texts += [str(value), str(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))]
    for text in texts:
        value = Decimal(text)
        assert _dec(value) == format(value.normalize(), "f"), text


def test_period_findings_fall_on_the_calendar_day() -> None:
    """Period findings add months in line: the due date they quote is ``add_months``'s, on
    every start day of four years (month ends, 29 February) for 12 months and 3 years."""
    loaded = BOOK.get("lz-measures-2018")
    (c1,) = [rule for rule in loaded.rules.conditions if rule.id == "C1"]
    on = date(2026, 3, 16)
    start = date(2021, 1, 1)
    while start <= date(2024, 12, 31):
        facts = SpaceFacts.model_validate(
            complete_facts(
                on, operating_since=start.isoformat(), operator={"established_on": str(start)}
            )
        )
        judge = Judge(facts, on)
        judge.start(c1.plan.params, c1.plan.interned)
        c1.plan.run(judge)
        found = {f.code: f for f in judge.findings}
        for code, parameter in (
            ("operator_age", "operator_min_age"),
            ("space_operation", "space_min_operation"),
        ):
            p = c1.plan.params[parameter]
            months = int(p.used.value) * (12 if p.used.unit == "years" else 1)
            due = add_months(start, months)
            finding = found[code]
            if due <= on:
                assert f"于{due.isoformat()}满" in finding.explanation_zh, (start, code)
            else:
                assert finding.shortfall is not None
                assert finding.shortfall.required == due.isoformat(), (start, code)
        start += timedelta(days=1)


def _odd_facts() -> list[SpaceFacts]:
    on = "2026-03-16"
    return [
        SpaceFacts(as_of=date(2026, 3, 16), form="virtual"),  # type: ignore[arg-type]
        SpaceFacts.model_validate(
            complete_facts(
                form="specialised",
                space_id="6f1c2f5e-1d7b-4c1e-9a51-5d2f0b7c9e11",
                specialisation={
                    "strategic_emerging_industry_subfield": 'a"b\\c\n\t\x01\u2028\x7f新材料'
                },
                premises={"total_area_m2": "2E+3", "service_area_m2": 12.5},
                services={"basic_services": ["shared_office", "broadband"], "startup_services": []},
                financing={"financing_modes": None, "invested_amount_fen": 0},
                compliance={
                    "incidents": [
                        {"kind": "safety", "severity": "major", "occurred_on": on},
                        {"kind": "quality", "severity": "ordinary", "occurred_on": "2025-01-01"},
                    ],
                    "listings": [{"list": "abnormal_operation", "listed_on": "2025-01-01"}],
                },
            )
        ),
    ]


def test_facts_json_is_canonical_json_of_the_dump() -> None:
    bodies = [SpaceFacts.model_validate(b["facts"]) for b in cohort(300)]
    for facts in [*bodies, *_odd_facts()]:
        expected = canonical_json(facts.model_dump(mode="json"))
        assert facts_json(facts) == expected
        assert input_hash_of(facts_json(facts), facts.as_of) == sha256_hex(
            canonical_json(
                {
                    "application_date": facts.as_of.isoformat(),
                    "facts": facts.model_dump(mode="json"),
                }
            )
        )


def test_decisions_are_those_engine_1_1_0_first_gave() -> None:
    digest = hashlib.sha256()
    for day in (date(2026, 3, 16), date(2024, 2, 29), date(2025, 1, 31)):
        for body in cohort(200, seed=day.toordinal(), on=day):
            facts = SpaceFacts.model_validate(body["facts"])
            for ruleset_id in ("lz-measures-2018", "lz-measures-draft-stricter"):
                loaded = BOOK.get(ruleset_id)
                decision = evaluate(facts, day, loaded.rules, loaded.content_hash)
                digest.update(canonical_json(decision_document(decision)).encode())
    assert digest.hexdigest() == "9286535fbc94a5435774af550224909e90826a8d528b455a97561e22ab48657d"


def test_shared_findings_are_not_changed_by_later_decisions() -> None:
    loaded = BOOK.get("lz-measures-2018")
    facts = SpaceFacts.model_validate(complete_facts())
    first = decision_document(evaluate(facts, facts.as_of, loaded.rules, loaded.content_hash))
    for body in cohort(50):
        other = SpaceFacts.model_validate(body["facts"])
        evaluate(other, other.as_of, loaded.rules, loaded.content_hash)
    again = decision_document(evaluate(facts, facts.as_of, loaded.rules, loaded.content_hash))
    assert again == first


def _varied_facts() -> list[SpaceFacts]:
    """Cohort facts and their variants: forms, missing facts, owned premises, incidents."""
    varied = []
    for index, body in enumerate(cohort(400, seed=11)):
        facts = body["facts"]
        if index % 3 == 0:
            facts["form"] = "virtual"
        if index % 5 == 0:
            facts["form"] = "specialised"
            facts["operator"]["kind"] = ["enterprise", "university", "other", None][index % 4]
            facts["operator"]["innovative_enterprise"] = [True, False, None][index % 3]
            facts["specialisation"]["rd_and_industrialisation_evidence"] = [True, False, None][
                index % 3
            ]
        if index % 7 == 0:
            facts["facilities"]["water"] = [False, None][index % 2]
            facts["management_rules"]["exit_mechanism"] = None
            facts["services"]["basic_services"] = ["broadband"]
            facts["financing"]["financing_modes"] = [] if index % 2 else None
            facts["incubation"]["teams_in_supported_fields"] = None
        if index % 11 == 0:
            facts["compliance"] = {
                "incidents": [
                    {"kind": "environmental", "severity": "serious", "occurred_on": "2025-01-01"}
                ],
                "listings": [{"list": "abnormal_operation", "listed_on": "2025-06-01"}],
            }
        varied.append(SpaceFacts.model_validate(facts))
    return varied


@pytest.mark.parametrize("ruleset_id", ["lz-measures-2018", "lz-measures-draft-stricter"])
def test_results_shared_by_what_a_check_reads_equal_fresh_ones(ruleset_id: str) -> None:
    """A check's ``reads`` must name everything it reads: judged afresh, every condition on
    varied facts comes out equal to the result shared under its ``reads`` value."""
    conditions = BOOK.get(ruleset_id).rules.conditions
    for facts in _varied_facts():
        for explain in (True, False):
            shared = judge_conditions(facts, facts.as_of, conditions, explain=explain)
            for rule, result in zip(conditions, shared, strict=True):
                judge = Judge(facts, facts.as_of, explain=explain)
                if facts.form in rule.plan.forms:
                    assert _judged(rule.plan, judge) == result, (rule.id, facts)


@pytest.mark.parametrize("ruleset_id", ["lz-measures-2018", "lz-measures-draft-stricter"])
def test_the_stored_decision_text_is_canonical_json_of_the_document(ruleset_id: str) -> None:
    loaded = BOOK.get(ruleset_id)
    for facts in [*_varied_facts(), *_odd_facts()]:
        decision = evaluate(facts, facts.as_of, loaded.rules, loaded.content_hash)
        expected = canonical_json(decision_document(decision))
        assert decision_json(decision) == expected
        assert decision_json(decision, loaded.rules) == expected
        assert decision_json(decision, loaded.rules) == expected  # shared texts, kept
