"""Deciding, recording, replaying, and comparing rulesets; no HTTP here."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from services.eligibility.clients.registry import RegistryClient, RegistryRefused
from services.eligibility.engine.canonical_facts import facts_json_bytes
from services.eligibility.engine.document import decision_json
from services.eligibility.engine.evaluate import (
    ConditionResult,
    Decision,
    evaluate,
    input_hash,
    judge_conditions,
    overall,
    priority_flag,
)
from services.eligibility.engine.explain import wording_only
from services.eligibility.evaluations import repository
from services.eligibility.evaluations.models import DecisionReceipt
from services.eligibility.evaluations.schemas import (
    MAX_BATCH,
    BatchItem,
    BatchResult,
    Cause,
    EvaluationRequest,
    ImpactItem,
    ImpactResult,
    RegistrySpaces,
    Replay,
)
from services.eligibility.filing import filing_for
from services.eligibility.rulesets.service import LoadedRuleset, RulesetBook
from shared.auth import Principal
from shared.canonical import json_differences
from shared.contracts.spaces import SpaceStanding, SpaceStatus
from shared.db import utcnow
from shared.errors import FieldError, Forbidden, NotFound, PayloadTooLarge, RequestInvalid
from shared.timezone import future_date_errors


class ReceiptNotFound(NotFound):
    slug = "receipt-not-found"


class _ReceiptHead(TypedDict):
    id: uuid.UUID
    created_at: datetime
    requested_by: str
    requested_role: str
    space_id: uuid.UUID | None


# The receipt's own fields, written as Receipt writes them.
RECEIPT_HEAD: TypeAdapter[_ReceiptHead] = TypeAdapter(_ReceiptHead)


# Enough to keep the registry busy without flooding it: the facts of 10,000 spaces arrive in
# batches of this many concurrent requests over the one long-lived client.
REGISTRY_CONCURRENCY = 16


async def fetch_from_registry(
    registry: RegistryClient, principal: Principal, spaces: RegistrySpaces
) -> list[EvaluationRequest]:
    """Each space's facts on ``as_of`` from the registry, judged on that same date.

    The registry answers the eligibility service (its service token) for every jurisdiction, so
    a district may not use this route: it would learn of other districts' spaces.
    """
    if principal.jurisdiction_scope is not None:
        raise Forbidden(
            "Districts give the facts themselves (items); fetching from the registry "
            "is for the bureau, experts and services"
        )
    errors = future_date_errors("body.registry.as_of", spaces.as_of)
    if errors:
        raise RequestInvalid(
            "registry.as_of is in the future: the registry has no facts for it yet", errors
        )
    gate = asyncio.Semaphore(REGISTRY_CONCURRENCY)
    space_ids = spaces.space_ids
    if space_ids is None:
        space_ids = await recognised_on(registry, spaces.as_of, gate)
        if not space_ids:
            raise NotFound(
                f"The registry records no space recognised on {spaces.as_of.isoformat()}; "
                "nothing to compare"
            )
        if len(space_ids) > MAX_BATCH:
            raise PayloadTooLarge(
                f"{len(space_ids)} spaces were recognised on {spaces.as_of.isoformat()}; an "
                f"impact analysis takes at most {MAX_BATCH}: name them in parts (space_ids)"
            )

    async def one(space_id: uuid.UUID) -> EvaluationRequest:
        async with gate:
            try:
                facts = await registry.get_facts(space_id, spaces.as_of)
            except RegistryRefused as refused:
                # The date is the caller's choice (a space cannot have facts before it opened).
                message = f"space {space_id}: {refused.detail}"
                raise RegistryRefused(
                    f"The registry gives no facts of space {space_id} on "
                    f"{spaces.as_of.isoformat()}; choose another registry.as_of or leave the "
                    f"space out. {refused.detail}",
                    [FieldError(field="body.registry.as_of", message=message, type="value_error")],
                    **refused.extensions,
                ) from None
        return EvaluationRequest(application_date=spaces.as_of, facts=facts)

    return list(await asyncio.gather(*(one(space_id) for space_id in space_ids)))


async def recognised_on(
    registry: RegistryClient, as_of: date, gate: asyncio.Semaphore
) -> list[uuid.UUID]:
    """The spaces that were municipal maker spaces on ``as_of``: of those ever recognised,
    the ones whose standing that day is recognised or under rectification."""

    async def standing(space_id: uuid.UUID) -> SpaceStanding:
        async with gate:
            return await registry.get_standing(space_id, as_of)

    candidates = await registry.ever_recognised_space_ids()
    standings = await asyncio.gather(*(standing(space_id) for space_id in candidates))
    held = (SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION)
    return [s.space_id for s in standings if s.status in held]


def check_scope(principal: Principal, requests: Sequence[EvaluationRequest]) -> None:
    """A district evaluates only its own jurisdiction's spaces, and must say which that is."""
    scope = principal.jurisdiction_scope
    if scope is None:
        return
    for index, request in enumerate(requests):
        code = request.facts.jurisdiction_code
        if code != scope:
            where = f"item {index}: " if len(requests) > 1 else ""
            raise Forbidden(
                f"{where}facts.jurisdiction_code must be your jurisdiction {scope} "
                f"(got {code or 'nothing'}); other spaces are evaluated by their "
                "own district or the bureau"
            )


def decide(
    book: RulesetBook, request: EvaluationRequest, ruleset: LoadedRuleset | None = None
) -> Decision:
    chosen = ruleset or book.in_force_on(request.application_date)
    return evaluate(request.facts, request.application_date, chosen.rules, chosen.content_hash)


async def record(
    session: AsyncSession,
    book: RulesetBook,
    registry: RegistryClient,
    principal: Principal,
    request: EvaluationRequest,
) -> tuple[DecisionReceipt, Decision]:
    """Decide with the ruleset in force on the application date, and keep the receipt, filed
    under the space and jurisdiction the registry gives (``filing``).

    Only a ruleset in force is ever chosen here: a draft can be tried (what-if), never decide.
    The facts are written as canonical JSON once: the receipt stores that text and the input
    hash is taken of it.
    """
    check_scope(principal, [request])
    ruleset = book.in_force_on(request.application_date)
    facts = request.facts
    filed = await filing_for(registry, principal, facts.space_id, facts.jurisdiction_code)
    facts_utf8 = facts_json_bytes(facts)
    decision = evaluate(
        facts,
        request.application_date,
        ruleset.rules,
        ruleset.content_hash,
        facts_text=facts_utf8,
    )
    row = DecisionReceipt(
        id=uuid.uuid4(),
        created_at=utcnow(),
        requested_by=principal.subject,
        requested_role=principal.role.value,
        space_id=filed.space_id,
        jurisdiction_code=filed.jurisdiction_code,
        application_date=request.application_date,
        ruleset_id=ruleset.id,
        ruleset_hash=ruleset.content_hash,
        engine_version=decision.engine_version,
        input_hash=decision.input_hash,
        verdict=decision.verdict,
        facts=facts_utf8.decode(),
        decision=decision_json(decision, ruleset.rules),
    )
    await repository.add(session, row)
    return row, decision


def receipt_json(row: DecisionReceipt) -> bytes:
    """The receipt as ``Receipt`` serialises it, written from the texts the row stores.

    The facts and the decision are already JSON (canonical, validated when they were made), so
    they are spliced in rather than parsed, validated and written again.
    """
    head = RECEIPT_HEAD.dump_json(
        {
            "id": row.id,
            "created_at": row.created_at,
            "requested_by": row.requested_by,
            "requested_role": row.requested_role,
            "space_id": row.space_id,
        }
    )
    return b"".join(
        (
            head[:-1],
            b',"facts":',
            row.facts.encode(),
            b',"decision":',
            row.decision.encode(),
            b"}",
        )
    )


async def get_receipt(
    session: AsyncSession, principal: Principal, receipt_id: uuid.UUID
) -> DecisionReceipt:
    row = await repository.get(session, receipt_id, principal.jurisdiction_scope)
    if row is None:
        raise ReceiptNotFound(f"No decision receipt {receipt_id} within your jurisdiction")
    return row


def replay(book: RulesetBook, row: DecisionReceipt) -> Replay:
    """Re-decide a stored receipt with its pinned ruleset; it must come out identical, or, for a
    receipt of an earlier engine, differ in wording only (``same_outcome``)."""
    ruleset = book.get(row.ruleset_id)
    stored = json.loads(row.decision)
    if ruleset.content_hash != row.ruleset_hash:
        return Replay(
            receipt_id=row.id,
            ruleset_id=row.ruleset_id,
            ruleset_hash=row.ruleset_hash,
            identical=False,
            same_outcome=False,
            differences=["ruleset.content_hash"],
        )
    request = EvaluationRequest(application_date=row.application_date, facts=json.loads(row.facts))
    again = json.loads(decision_json(decide(book, request, ruleset), ruleset.rules))
    differences = json_differences(stored, again)
    return Replay(
        receipt_id=row.id,
        ruleset_id=row.ruleset_id,
        ruleset_hash=row.ruleset_hash,
        identical=not differences,
        same_outcome=wording_only(differences),
        differences=differences,
    )


def batch(
    book: RulesetBook, requests: Sequence[EvaluationRequest], ruleset: LoadedRuleset | None = None
) -> BatchResult:
    items = []
    for index, request in enumerate(requests):
        facts, on = request.facts, request.application_date
        chosen = ruleset or book.in_force_on(on)
        results = judge_conditions(facts, on, chosen.rules.conditions, explain=False)
        items.append(
            BatchItem.model_construct(
                index=index,
                space_id=facts.space_id,
                application_date=on,
                ruleset_id=chosen.id,
                verdict=overall(results),
                conditions={c.id: c.verdict for c in results},
                missing_facts=sorted({path for c in results for path in c.missing_facts}),
                priority=priority_flag(chosen.rules, facts),
                input_hash=input_hash(facts, on),
            )
        )
    return BatchResult.model_construct(
        counts=dict(Counter(item.verdict for item in items)), items=items
    )


def impact(
    book: RulesetBook, baseline_id: str, candidate_id: str, requests: Sequence[EvaluationRequest]
) -> ImpactResult:
    """Which spaces change verdict between two rulesets, and the conditions and parameters why.

    A condition whose rule is the same in both rulesets gives the same result, so only the
    conditions the candidate changes are judged twice, on the same facts.
    """
    baseline, candidate = book.get(baseline_id), book.get(candidate_id)
    base_rules = {rule.id: rule for rule in baseline.rules.conditions}
    changed_rules = [rule for rule in candidate.rules.conditions if rule != base_rules.get(rule.id)]
    position = {rule.id: index for index, rule in enumerate(baseline.rules.conditions)}
    compared = [position[rule.id] for rule in changed_rules]
    changed: list[ImpactItem] = []
    transitions: Counter[str] = Counter()
    for index, request in enumerate(requests):
        facts, on = request.facts, request.application_date
        before = judge_conditions(facts, on, baseline.rules.conditions, explain=False)
        redone = judge_conditions(facts, on, changed_rules, explain=False)
        if all(r.verdict is before[i].verdict for r, i in zip(redone, compared, strict=True)):
            continue
        by_id = {r.id: r for r in redone}
        after = [by_id.get(result.id, result) for result in before]
        verdict_before, verdict_after = overall(before), overall(after)
        transitions[f"{verdict_before.value} -> {verdict_after.value}"] += 1
        changed.append(
            ImpactItem(
                index=index,
                space_id=facts.space_id,
                baseline=verdict_before,
                candidate=verdict_after,
                causes=_causes(before, after),
            )
        )
    return ImpactResult(
        baseline_ruleset_id=baseline.id,
        candidate_ruleset_id=candidate.id,
        evaluated=len(requests),
        changed=len(changed),
        transitions=dict(transitions),
        items=changed,
    )


def _causes(before: list[ConditionResult], after: list[ConditionResult]) -> list[Cause]:
    causes = []
    for b, a in zip(before, after, strict=True):
        if b.verdict == a.verdict:
            continue
        b_findings = {f.code: f for f in b.findings}
        a_findings = {f.code: f for f in a.findings}
        codes = sorted(
            code
            for code in set(b_findings) | set(a_findings)
            if getattr(b_findings.get(code), "verdict", None)
            != getattr(a_findings.get(code), "verdict", None)
        )
        parameters: dict[str, dict[str, object]] = {}
        for code in codes:
            pb = getattr(b_findings.get(code), "parameter", None)
            pa = getattr(a_findings.get(code), "parameter", None)
            if pb is not None and pa is not None and pb.value != pa.value:
                parameters[pb.name] = {"baseline": pb.value, "candidate": pa.value, "unit": pb.unit}
        causes.append(
            Cause(
                condition=b.id,
                baseline=b.verdict,
                candidate=a.verdict,
                findings=codes,
                parameters=parameters,
            )
        )
    return causes
