"""Evaluate a space's facts on an application date against one ruleset: the decision, explained."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from pydantic import TypeAdapter

from services.eligibility.engine import ENGINE_VERSION
from services.eligibility.engine.canonical_facts import facts_json_bytes, input_hash_of
from services.eligibility.engine.judge import ConditionPlan, Judge
from services.eligibility.engine.outcome import (
    Finding,
    OverallVerdict,
    ParameterUsed,
    Verdict,
    constructor,
)
from services.eligibility.rulesets.model import ConditionRule, Ruleset
from shared.contracts.facts import SpaceFacts


@dataclass(frozen=True, slots=True)
class RulesetRef:
    id: str
    title_zh: str
    status: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class ConditionResult:
    id: str
    title_zh: str
    title_en: str
    clause: str
    clause_text: str
    verdict: Verdict
    findings: list[Finding]
    missing_facts: list[str]
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True, slots=True)
class Priority:
    """优先认定: substantive investment above the configured amount. Never affects eligibility.

    ``priority`` is None when the invested amount is not known.
    """

    priority: bool | None
    clause: str
    clause_text: str
    parameter: ParameterUsed
    invested_amount_fen: int | None
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The whole answer; plain dataclasses, built fast, serialised through ``DECISION``."""

    verdict: OverallVerdict
    application_date: date
    form: str
    ruleset: RulesetRef
    engine_version: str
    input_hash: str
    conditions: list[ConditionResult]
    priority: Priority
    missing_facts: list[str]
    summary_zh: str
    summary_en: str


def input_hash(facts: SpaceFacts, application_date: date) -> str:
    """The identity of what was asked: the same facts on the same date hash the same.

    The hash of ``canonical_json({"application_date": ..., "facts": <facts as JSON>})``.
    """
    return input_hash_of(facts_json_bytes(facts), application_date)


_NOT_MET, _MISSING, _REVIEW = Verdict.NOT_MET, Verdict.MISSING_FACTS, Verdict.NEEDS_REVIEW
# The missing facts of a result or decision that misses none: one list, never changed (results
# and decisions are frozen, and shared results are shared whole already).
_NONE: list[str] = []
_verdict_of = attrgetter("verdict")
_NOT_APPLICABLE_KEY = (True,)  # _condition's key of the explained result without findings
# Per rule. Real facts need tens to hundreds of shared results (about 1 KB each); the cap
# bounds the memory when callers send many distinct counts or dates.
_MAX_SHARED_RESULTS = 1_000

# id, title_zh, title_en, clause, clause_text, verdict, findings, missing_facts, zh, en
_new_result: Callable[..., ConditionResult] = constructor(ConditionResult)


def _condition(plan: ConditionPlan, judge: Judge) -> ConditionResult:
    explain = judge.explain
    if judge.facts.form not in plan.forms:
        findings: list[Finding] = []
    elif plan.reads is not None:
        # A check that reads a small value: judged once per value, the result shared.
        read = plan.reads(judge.facts, judge.on)
        result = plan.by_reads[explain].get(read)
        if result is None:
            result = _judged(plan, judge)
            if len(plan.results_shared) < _MAX_SHARED_RESULTS:
                plan.share_read(explain, read, result)
        return result
    else:
        judge.start(plan.params, plan.interned)
        plan.run(judge)
        findings = judge.findings
        if judge.shared != len(findings):
            return _result(plan, findings, explain)
    return _made_of_shared(plan, findings, explain)


def _made_of_shared(plan: ConditionPlan, findings: list[Finding], explain: bool) -> ConditionResult:
    """Every finding is shared (or there is none): so is the result made of them."""
    shared_key = (explain, *map(id, findings))  # (True,): not applicable, explained
    shared: ConditionResult | None = plan.results.get(shared_key)
    if shared is None:
        shared = _result(plan, findings, explain)
        if len(plan.results_shared) < _MAX_SHARED_RESULTS:
            plan.share(shared_key, shared)
    return shared


def _judged(plan: ConditionPlan, judge: Judge) -> ConditionResult:
    """The condition judged afresh (nothing shared at the level of the whole result)."""
    judge.start(plan.params, plan.interned)
    plan.run(judge)
    return _result(plan, judge.findings, judge.explain)


def _result(plan: ConditionPlan, findings: list[Finding], explain: bool) -> ConditionResult:
    if not findings:
        verdict = Verdict.NOT_APPLICABLE
        missing: list[str] = _NONE
    else:
        # combine(): any miss decides, then any gap, then any doubt. (Loops rather than
        # comprehensions: each comprehension is a function call of its own.)
        not_met = missing_any = review = False
        for f in findings:
            found = f.verdict
            if found is _NOT_MET:
                not_met = True
            elif found is _MISSING:
                missing_any = True
            elif found is _REVIEW:
                review = True
        if not_met:
            verdict = _NOT_MET
        elif missing_any:
            verdict = _MISSING
        elif review:
            verdict = _REVIEW
        else:
            verdict = Verdict.MET
        # Only a finding of missing facts names any.
        missing = (
            sorted({path for f in findings for path in f.missing_facts}) if missing_any else _NONE
        )
    explanation_zh = explanation_en = ""
    if explain:
        explanation_zh, explanation_en = plan.heads[verdict]
        details_zh: list[str] = []
        details_en: list[str] = []
        for f in findings:
            if f.verdict is verdict:
                details_zh.append(f.explanation_zh)
                details_en.append(f.explanation_en)
        if details_zh:
            detail_zh = "；".join(details_zh)
            detail_en = "; ".join(details_en)
            if detail_zh:
                explanation_zh = f"{explanation_zh}。{detail_zh}"
            if detail_en:
                explanation_en = f"{explanation_en}. {detail_en[:1].upper()}{detail_en[1:]}"
    return _new_result(
        plan.id,
        plan.title_zh,
        plan.title_en,
        plan.clause,
        plan.clause_text,
        verdict,
        findings,
        missing,
        explanation_zh,
        explanation_en,
    )


# priority, clause, clause_text, parameter, invested_amount_fen, explanation_zh, explanation_en
_new_priority: Callable[..., Priority] = constructor(Priority)


def priority(rules: Ruleset, facts: SpaceFacts) -> Priority:
    rule = rules.priority
    parameter, minimum, need = rule.minimum
    amount = facts.financing.invested_amount_fen
    if amount is None:
        flag, zh, en = (
            None,
            "实质投资金额未知，无法判断是否优先认定",
            "invested amount unknown: priority cannot be decided",
        )
    else:
        have = f"{amount // 100:,}.{amount % 100:02d}"  # yuan(amount), written out
        if amount >= minimum:
            flag = True
            zh = f"实质投资{have}元，达到{need}元，优先认定"
            en = f"substantive investment {have} yuan reaches {need} yuan: priority"
        else:
            flag = False
            zh = f"实质投资{have}元，未达到{need}元，不享受优先认定（不影响是否符合条件）"
            en = (
                f"substantive investment {have} yuan is below {need} yuan: no "
                "priority (eligibility is unaffected)"
            )
    return _new_priority(flag, rule.clause, rule.clause_text, parameter, amount, zh, en)


def priority_flag(rules: Ruleset, facts: SpaceFacts) -> bool | None:
    """``priority(rules, facts).priority`` without the sentences (batch answers the flag)."""
    amount = facts.financing.invested_amount_fen
    return None if amount is None else amount >= rules.priority.minimum[1]


_SUMMARY = {
    OverallVerdict.ELIGIBLE: ("符合全部认定条件", "meets every condition"),
    OverallVerdict.NOT_ELIGIBLE: ("不符合认定条件", "does not meet the conditions"),
    OverallVerdict.NEEDS_REVIEW: (
        "自动核查项均符合，仍需人工审核",
        "nothing failed; a person must judge the remaining matters",
    ),
    OverallVerdict.INCOMPLETE: (
        "事实不全，无法判定",
        "facts are missing, so no decision can be made",
    ),
}


def judge_conditions(
    facts: SpaceFacts,
    application_date: date,
    rules: Iterable[ConditionRule],
    *,
    explain: bool = True,
) -> list[ConditionResult]:
    """Each condition's result. With ``explain=False`` (batch and impact runs answer verdicts
    only) the verdicts, findings' codes, parameters and missing facts are the same, but no
    sentences are written, and findings about dates and areas quote no facts or shortfall."""
    judge = Judge(facts, application_date, explain=explain)
    return [_condition(rule.plan, judge) for rule in rules]


def overall(results: Iterable[ConditionResult]) -> OverallVerdict:
    """Any condition not met decides; then any facts missing; then anything left to a person."""
    verdicts = {r.verdict for r in results}
    if Verdict.NOT_MET in verdicts:
        return OverallVerdict.NOT_ELIGIBLE
    if Verdict.MISSING_FACTS in verdicts:
        return OverallVerdict.INCOMPLETE
    if Verdict.NEEDS_REVIEW in verdicts:
        return OverallVerdict.NEEDS_REVIEW
    return OverallVerdict.ELIGIBLE


_new_decision: Callable[..., Decision] = constructor(Decision)
_REFS: dict[tuple[str, str, str, str], RulesetRef] = {}


def _ruleset_ref(rules: Ruleset, content_hash: str) -> RulesetRef:
    ref: RulesetRef | None = rules.refs.get(content_hash)
    if ref is None:
        key = (rules.id, rules.title_zh, rules.status.value, content_hash)
        ref = _REFS.get(key)
        if ref is None:
            ref = _REFS[key] = RulesetRef(*key)
        rules.refs[content_hash] = ref
    return ref


# A decision's overall verdict and summary, by its conditions' verdicts and how many facts it
# misses (a pure function of those, so kept per ruleset; few combinations occur).
_Summary = tuple[OverallVerdict, str, str]
_MAX_SUMMARIES = 1_000


def _summary(results: list[ConditionResult], missing: int) -> _Summary:
    verdicts = {r.verdict for r in results}
    if _NOT_MET in verdicts:
        verdict = OverallVerdict.NOT_ELIGIBLE
    elif _MISSING in verdicts:
        verdict = OverallVerdict.INCOMPLETE
    elif _REVIEW in verdicts:
        verdict = OverallVerdict.NEEDS_REVIEW
    else:
        verdict = OverallVerdict.ELIGIBLE
    zh, en = _SUMMARY[verdict]
    if _NOT_MET in verdicts:
        failing = [r.id for r in results if r.verdict is _NOT_MET]
        zh, en = f"{zh}：{'、'.join(failing)}不符合", f"{en}: {', '.join(failing)} not met"
    elif missing:
        zh, en = f"{zh}：缺少{missing}项事实", f"{en}: {missing} facts missing"
    elif _REVIEW in verdicts:
        pending = [r.id for r in results if r.verdict is _REVIEW]
        zh, en = f"{zh}：{'、'.join(pending)}", f"{en}: {', '.join(pending)}"
    return verdict, zh, en


def evaluate(
    facts: SpaceFacts,
    application_date: date,
    rules: Ruleset,
    content_hash: str,
    *,
    facts_text: str | bytes | None = None,
) -> Decision:
    """The whole decision, explained, as a receipt records it.

    ``facts_text`` is ``facts_json(facts)`` (or its UTF-8, ``facts_json_bytes``) when the
    caller has it already (it stores it).
    """
    judge = Judge(facts, application_date)
    form = facts.form
    results: list[ConditionResult] = []
    missing_paths: set[str] | None = None
    for plan, forms, reads, by_read in rules.loop:
        # _condition's common cases written out: the result shared by what the check reads,
        # and the shared result of a condition that does not apply to the space's form.
        if form not in forms:
            result = plan.results.get(_NOT_APPLICABLE_KEY)
        elif reads is not None:
            result = by_read.get(reads(facts, application_date))
        else:
            # Judged afresh (dates, areas): _condition's last case.
            judge.start(plan.params, plan.interned)
            plan.run(judge)
            findings = judge.findings
            if judge.shared != len(findings):
                result = _result(plan, findings, True)
            else:
                result = _made_of_shared(plan, findings, True)
        if result is None:
            result = _condition(plan, judge)
        results.append(result)
        if result.missing_facts:
            # A condition not met may still name facts it is missing.
            if missing_paths is None:
                missing_paths = set(result.missing_facts)
            else:
                missing_paths.update(result.missing_facts)
    missing = sorted(missing_paths) if missing_paths else _NONE
    key = (len(missing), *map(_verdict_of, results))
    summaries = rules.summaries
    summary = summaries.get(key)
    if summary is None:
        summary = _summary(results, len(missing))
        if len(summaries) < _MAX_SUMMARIES:
            summaries[key] = summary
    verdict, zh, en = summary
    if facts_text is None:
        facts_text = facts_json_bytes(facts)
    return _new_decision(
        verdict,
        application_date,
        form._value_,
        _ruleset_ref(rules, content_hash),
        ENGINE_VERSION,
        input_hash_of(facts_text, application_date, judge.on_text),
        results,
        priority(rules, facts),
        missing,
        zh,
        en,
    )


DECISION: TypeAdapter[Decision] = TypeAdapter(Decision)


def decision_document(decision: Decision) -> dict[str, Any]:
    """The decision as stored and compared on replay."""
    return DECISION.dump_python(decision, mode="json")  # type: ignore[no-any-return]
