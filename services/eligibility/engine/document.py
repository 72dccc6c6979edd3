"""The decision as a receipt stores it: canonical JSON, written straight from the dataclasses.

``decision_json(decision, rules)`` is exactly ``canonical_json(decision_document(decision))``
(sorted keys, no spaces, UTF-8 as is) at a fraction of the cost: the key order is written out
here, and the text of a condition result that the engine shares between decisions is written
once per rule. The dataclasses' fields are checked against the keys below at import, and a test
compares the two writings on varied decisions.
"""

from __future__ import annotations

import json
from dataclasses import fields
from json.encoder import encode_basestring as _esc  # what json.dumps(ensure_ascii=False) uses
from typing import Any

from services.eligibility.engine.evaluate import ConditionResult, Decision, Priority, RulesetRef
from services.eligibility.engine.judge import ConditionPlan
from services.eligibility.engine.outcome import Finding, ParameterUsed, Shortfall
from services.eligibility.rulesets.model import Ruleset

# canonical_json's encoder, built once (json.dumps builds one per call).
_canonical = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
).encode

_KEYS = {
    Decision: (
        "application_date conditions engine_version form input_hash missing_facts priority "
        "ruleset summary_en summary_zh verdict"
    ),
    ConditionResult: (
        "clause clause_text explanation_en explanation_zh findings id missing_facts title_en "
        "title_zh verdict"
    ),
    Finding: ("code explanation_en explanation_zh facts missing_facts parameter shortfall verdict"),
    Priority: (
        "clause clause_text explanation_en explanation_zh invested_amount_fen parameter priority"
    ),
    RulesetRef: "content_hash id status title_zh",
    ParameterUsed: "name unit value",
    Shortfall: "actual gap required unit",
}
for _cls, _keys in _KEYS.items():
    # The writers below name every field in sorted order; a new field must be written too.
    if sorted(f.name for f in fields(_cls)) != _keys.split():
        raise TypeError(f"{_cls.__name__}'s fields changed: update engine/document.py")


def _parameter(p: ParameterUsed | None) -> str:
    if p is None:
        return "null"
    return _canonical({"name": p.name, "unit": p.unit, "value": p.value})


def _shortfall(s: Shortfall | None) -> str:
    if s is None:
        return "null"
    return _canonical({"actual": s.actual, "gap": s.gap, "required": s.required, "unit": s.unit})


def _finding(f: Finding) -> str:
    return "".join(
        (
            '{"code":',
            _esc(f.code),
            ',"explanation_en":',
            _esc(f.explanation_en),
            ',"explanation_zh":',
            _esc(f.explanation_zh),
            ',"facts":',
            _canonical(f.facts),
            ',"missing_facts":',
            _canonical(f.missing_facts),
            ',"parameter":',
            _parameter(f.parameter),
            ',"shortfall":',
            _shortfall(f.shortfall),
            ',"verdict":"',
            f.verdict.value,
            '"}',
        )
    )


def _condition(r: ConditionResult) -> str:
    return "".join(
        (
            '{"clause":',
            _esc(r.clause),
            ',"clause_text":',
            _esc(r.clause_text),
            ',"explanation_en":',
            _esc(r.explanation_en),
            ',"explanation_zh":',
            _esc(r.explanation_zh),
            ',"findings":[',
            ",".join([_finding(f) for f in r.findings]),
            '],"id":',
            _esc(r.id),
            ',"missing_facts":',
            _canonical(r.missing_facts),
            ',"title_en":',
            _esc(r.title_en),
            ',"title_zh":',
            _esc(r.title_zh),
            ',"verdict":"',
            r.verdict.value,
            '"}',
        )
    )


def _shared_condition(r: ConditionResult, plan: ConditionPlan | None) -> str:
    """A result's text; once per rule for a result the rule shares (kept with it)."""
    if plan is None or plan.results_shared.get(id(r)) is not r:
        return _condition(r)
    text: str | None = plan.texts.get(id(r))
    if text is None:
        text = plan.texts[id(r)] = _condition(r)
    return text


def _priority(p: Priority) -> str:
    flag = "null" if p.priority is None else ("true" if p.priority else "false")
    amount = "null" if p.invested_amount_fen is None else str(p.invested_amount_fen)
    return "".join(
        (
            '{"clause":',
            _esc(p.clause),
            ',"clause_text":',
            _esc(p.clause_text),
            ',"explanation_en":',
            _esc(p.explanation_en),
            ',"explanation_zh":',
            _esc(p.explanation_zh),
            ',"invested_amount_fen":',
            amount,
            ',"parameter":',
            _parameter(p.parameter),
            ',"priority":',
            flag,
            "}",
        )
    )


def _ruleset(r: RulesetRef) -> str:
    return _canonical(
        {"content_hash": r.content_hash, "id": r.id, "status": r.status, "title_zh": r.title_zh}
    )


def decision_json(decision: Decision, rules: Ruleset | None = None) -> str:
    """The decision document as canonical JSON; ``rules`` (the ruleset that decided) lets the
    texts of shared condition results be written once."""
    plans: dict[str, Any] = {} if rules is None else {c.id: c.plan for c in rules.conditions}
    d = decision
    return "".join(
        (
            '{"application_date":"',
            d.application_date.isoformat(),
            '","conditions":[',
            ",".join([_shared_condition(r, plans.get(r.id)) for r in d.conditions]),
            '],"engine_version":',
            _esc(d.engine_version),
            ',"form":',
            _esc(d.form),
            ',"input_hash":',
            _esc(d.input_hash),
            ',"missing_facts":',
            _canonical(d.missing_facts),
            ',"priority":',
            _priority(d.priority),
            ',"ruleset":',
            _ruleset(d.ruleset),
            ',"summary_en":',
            _esc(d.summary_en),
            ',"summary_zh":',
            _esc(d.summary_zh),
            ',"verdict":"',
            d.verdict.value,
            '"}',
        )
    )
