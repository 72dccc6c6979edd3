"""Loading assessment schemes, scoring a year's facts against one, and keeping the receipt.

Scoring is a pure function of (facts, scheme): nothing here touches HTTP, and the database only
where a receipt is stored or read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.assessments import ENGINE_VERSION, repository
from services.eligibility.assessments.explain import (
    FACT_WORDS,
    GRADE_EN,
    amount,
    incident_words,
    listing_words,
    missing_zh,
    number,
    percent,
)
from services.eligibility.assessments.model import (
    FULL_MARKS,
    AssessmentScheme,
    Indicator,
    OverridingCondition,
    SchemeStatus,
)
from services.eligibility.assessments.models import AssessmentReceiptRow
from services.eligibility.assessments.schemas import (
    AssessmentReceipt,
    AssessmentReplay,
    AssessmentResult,
    AssessmentVerdict,
    IndicatorResult,
    OverrideResult,
    SchemeRef,
)
from services.eligibility.clients.registry import RegistryClient
from services.eligibility.engine.explain import wording_only
from services.eligibility.filing import filing_for
from services.eligibility.rulefiles import Loaded, load_toml
from shared.auth import Principal
from shared.canonical import canonical_json, json_differences, sha256_hex
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.db import utcnow
from shared.errors import Forbidden, NotFound, UnprocessableRequest

DATA_DIR = Path(__file__).resolve().parent / "data"
HUNDREDTH = Decimal("0.01")


class AssessmentSchemeError(Exception):
    """A scheme file is malformed, or the files contradict each other. Fatal at start-up."""


class NoSchemeForYear(UnprocessableRequest):
    slug, title = "no-assessment-scheme", "No assessment scheme for that year"


class AssessmentSchemeNotFound(NotFound):
    slug = "assessment-scheme-not-found"


class AssessmentReceiptNotFound(NotFound):
    slug = "assessment-receipt-not-found"


# ---------------------------------------------------------------------------------------------
# Schemes


class LoadedScheme(Loaded[AssessmentScheme]):
    @property
    def scheme(self) -> AssessmentScheme:
        return self.content


def load_file(path: Path) -> LoadedScheme:
    return load_toml(path, AssessmentScheme, LoadedScheme, AssessmentSchemeError)


class SchemeBook:
    """Every assessment scheme the service knows: at most one per year, checked together."""

    def __init__(self, schemes: Iterable[LoadedScheme]) -> None:
        self._by_id: dict[str, LoadedScheme] = {}
        self._by_year: dict[int, LoadedScheme] = {}
        for loaded in schemes:
            if loaded.id in self._by_id:
                raise AssessmentSchemeError(
                    f"{loaded.path} and {self._by_id[loaded.id].path} both define scheme "
                    f"{loaded.id!r}"
                )
            year = loaded.scheme.year
            if year in self._by_year:
                other = self._by_year[year]
                # Choosing between two would be a guess; the bureau keeps one file per year.
                raise AssessmentSchemeError(
                    f"two schemes for {year}: {other.id!r} ({other.path}) and {loaded.id!r} "
                    f"({loaded.path}); keep exactly one file per year"
                )
            self._by_id[loaded.id] = loaded
            self._by_year[year] = loaded

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> SchemeBook:
        files = sorted(directory.glob("*.toml"))
        if not files:
            raise AssessmentSchemeError(f"no assessment scheme files in {directory}")
        return cls(load_file(path) for path in files)

    def all(self) -> list[LoadedScheme]:
        return [self._by_year[year] for year in sorted(self._by_year)]

    def get(self, scheme_id: str) -> LoadedScheme:
        try:
            return self._by_id[scheme_id]
        except KeyError:
            raise AssessmentSchemeNotFound(
                f"No assessment scheme {scheme_id!r}; GET /v1/assessment-schemes lists them",
                scheme_id=scheme_id,
            ) from None

    def for_year(self, year: int) -> LoadedScheme:
        try:
            return self._by_year[year]
        except KeyError:
            known = ", ".join(f"{y} ({s.id})" for y, s in sorted(self._by_year.items()))
            raise NoSchemeForYear(
                f"No assessment scheme covers the year {year}, so it cannot be scored; the "
                f"bureau adds one as a scheme file. Schemes exist for: {known}",
                year=year,
            ) from None


# ---------------------------------------------------------------------------------------------
# Scoring (pure)

_GRADES = list(AssessmentGrade)  # best first


def _worse(a: AssessmentGrade, b: AssessmentGrade) -> AssessmentGrade:
    return a if _GRADES.index(a) >= _GRADES.index(b) else b


def input_hash(facts: AssessmentFacts) -> str:
    """The identity of what was asked: the same facts hash the same."""
    return sha256_hex(canonical_json(facts.model_dump(mode="json")))


def indicator_points(indicator: Indicator, actual: int) -> Decimal:
    """``weight × min(actual / target, cap)``, rounded half up to 0.01.

    Multiplying before dividing keeps a true tie exact (3 × 5 / 24 is 0.625, which rounds to
    0.63), where dividing first would leave 0.62499… and round down.
    """
    counted = min(Decimal(actual), indicator.cap * indicator.target)
    return (indicator.weight * counted / indicator.target).quantize(HUNDREDTH, ROUND_HALF_UP)


def _indicator(indicator: Indicator, facts: AssessmentFacts) -> IndicatorResult:
    fact = indicator.fact
    label_zh, label_en, _, _ = FACT_WORDS[fact]
    actual: int | None = getattr(facts, fact.value)
    common: dict[str, Any] = {
        "id": indicator.id,
        "title_zh": indicator.title_zh,
        "title_en": indicator.title_en,
        "fact": fact,
        "target": indicator.target,
        "weight": indicator.weight,
        "cap": indicator.cap,
    }
    if actual is None:
        return IndicatorResult(
            **common,
            facts={},
            achievement_percent=None,
            capped=False,
            points=None,
            missing_facts=[fact.value],
            explanation_zh=f"缺少事实：{label_zh}（{fact.value}），本项不能计分",
            explanation_en=f"Missing fact: {label_en} ({fact.value}); this indicator "
            "cannot be scored",
        )
    points = indicator_points(indicator, actual)
    achieved = (Decimal(actual) * 100 / indicator.target).quantize(HUNDREDTH, ROUND_HALF_UP)
    capped = actual > indicator.cap * indicator.target
    actual_zh, actual_en = amount(fact, actual)
    target_zh, target_en = amount(fact, indicator.target)
    weight = number(indicator.weight)
    if capped:
        counted_zh = f"超过上限，按{percent(indicator.cap)}%计"
        counted_en = f"counted at the cap of {percent(indicator.cap)} %"
    else:
        counted_zh, counted_en = "", ""
    return IndicatorResult(
        **common,
        facts={fact.value: actual},
        achievement_percent=achieved,
        capped=capped,
        points=points,
        missing_facts=[],
        explanation_zh=f"{indicator.title_zh}：{actual_zh}，目标{target_zh}，"
        f"完成{number(achieved)}%{'，' + counted_zh if counted_zh else ''}，"
        f"得{number(points)}分（分值{weight}分）",
        explanation_en=f"{indicator.title_en}: {actual_en} against a target of {target_en}, "
        f"{number(achieved)} % achieved{', ' + counted_en if counted_en else ''}: "
        f"{number(points)} points (weight {weight})",
    )


@dataclass(frozen=True)
class _Trigger:
    condition: OverridingCondition
    triggered: bool | None
    facts: dict[str, Any]
    missing: list[str]
    events_zh: str
    events_en: str


def _trigger(condition: OverridingCondition, facts: AssessmentFacts) -> _Trigger:
    """Whether the condition's event happened in the assessed year, and which records show it."""
    first, last = date(facts.year, 1, 1), date(facts.year, 12, 31)
    when = condition.when
    if when.incident is not None:
        wanted = when.incident
        if facts.incidents is None:
            return _Trigger(condition, None, {}, ["incidents"], "", "")
        hits = [
            i
            for i in facts.incidents
            if first <= i.occurred_on <= last
            and i.kind is wanted.kind
            and i.severity.at_least(wanted.severity)
        ]
        words = [incident_words(i) for i in hits]
        return _Trigger(
            condition,
            bool(hits),
            {"incidents": [i.model_dump(mode="json") for i in hits]} if hits else {},
            [],
            "；".join(zh for zh, _ in words),
            "; ".join(en for _, en in words),
        )
    if facts.listings is None:
        return _Trigger(condition, None, {}, ["listings"], "", "")
    # On the list on some day of the year: listed by 31 December and not removed by 1 January
    # (an entry is in force from listed_on up to, not including, removed_on).
    entries = [
        entry
        for entry in facts.listings
        if entry.list is when.listed_on
        and max(entry.listed_on, first) <= last
        and (entry.removed_on is None or max(entry.listed_on, first) < entry.removed_on)
    ]
    words = [listing_words(entry) for entry in entries]
    return _Trigger(
        condition,
        bool(entries),
        {"listings": [entry.model_dump(mode="json") for entry in entries]} if entries else {},
        [],
        "；".join(zh for zh, _ in words),
        "; ".join(en for _, en in words),
    )


def _override(trigger: _Trigger, year: int, band: AssessmentGrade | None) -> OverrideResult:
    condition = trigger.condition
    cap = condition.grade_at_most
    applied = bool(trigger.triggered) and band is not None and _worse(band, cap) is not band
    if trigger.triggered is None:
        path = trigger.missing[0]
        zh = f"{condition.title_zh}：缺少事实：{missing_zh(path)}，无法判断"
        en = f"{condition.title_en}: missing fact ({path}), cannot be decided"
    elif not trigger.triggered:
        zh = f"{condition.title_zh}：{year}年内无此情形，不限制等次"
        en = f"{condition.title_en}: none in {year}; the grade is not limited"
    else:
        zh = f"{condition.title_zh}：{trigger.events_zh}，等次不高于{cap.value}"
        en = f"{condition.title_en}: {trigger.events_en}; the grade is at most {GRADE_EN[cap]}"
        if applied:
            assert band is not None
            zh += f"，按分数评定的{band.value}降为{cap.value}"
            en += f", so the score's {GRADE_EN[band]} becomes {GRADE_EN[cap]}"
        elif band is not None:
            zh += f"；按分数评定的{band.value}不受影响"
            en += f"; the score's {GRADE_EN[band]} is not affected"
    return OverrideResult(
        id=condition.id,
        title_zh=condition.title_zh,
        title_en=condition.title_en,
        grade_at_most=cap,
        triggered=trigger.triggered,
        applied=applied,
        facts=trigger.facts,
        missing_facts=trigger.missing,
        explanation_zh=zh,
        explanation_en=en,
    )


def band_for(scheme: AssessmentScheme, score: Decimal) -> AssessmentGrade:
    """The best grade whose minimum the score reaches (the minimum itself is enough)."""
    for band in scheme.grade_bands:
        if score >= band.min_score:
            return band.grade
    raise AssertionError("the lowest band starts at 0; the model guarantees it")


def score(facts: AssessmentFacts, scheme: AssessmentScheme, scheme_hash: str) -> AssessmentResult:
    """Score one year's facts against a scheme: points per indicator, the band, then overrides.

    Any fact the scheme reads that is missing makes the result ``incomplete``: it lists exactly
    those facts and gives no score and no grade.
    """
    indicators = [_indicator(indicator, facts) for indicator in scheme.indicators]
    triggers = [_trigger(condition, facts) for condition in scheme.overriding_conditions]
    missing = list(
        dict.fromkeys(
            [p for r in indicators for p in r.missing_facts]
            + [p for t in triggers for p in t.missing]
        )
    )
    ref = SchemeRef(
        id=scheme.id,
        year=scheme.year,
        title_zh=scheme.title_zh,
        title_en=scheme.title_en,
        status=scheme.status,
        content_hash=scheme_hash,
    )
    common: dict[str, Any] = {
        "year": facts.year,
        "scheme": ref,
        "engine_version": ENGINE_VERSION,
        "input_hash": input_hash(facts),
        "indicators": indicators,
        "missing_facts": missing,
    }
    if scheme.status is SchemeStatus.DEFAULT_EXAMPLE:
        note_zh = f"。评分方案{scheme.id}为示例默认方案，须经市科技局确认或替换"
        note_en = (
            f". Scheme {scheme.id} is the EXAMPLE default, which the bureau must confirm or replace"
        )
    else:
        note_zh, note_en = "", ""
    if missing:
        return AssessmentResult(
            **common,
            verdict=AssessmentVerdict.INCOMPLETE,
            points_total=None,
            score=None,
            band_grade=None,
            overriding_conditions=[_override(t, facts.year, None) for t in triggers],
            grade=None,
            grade_en=None,
            summary_zh=f"{facts.year}年度考核：事实不全，无法评分定等；缺少{len(missing)}项："
            f"{'、'.join(missing_zh(path) for path in missing)}{note_zh}",
            summary_en=f"{facts.year} annual assessment: facts are missing, so there is no score "
            f"and no grade; {len(missing)} missing: {', '.join(missing)}{note_en}",
        )
    points_total = sum((r.points for r in indicators if r.points is not None), Decimal(0))
    final_score = min(points_total, FULL_MARKS)
    band = band_for(scheme, final_score)
    overrides = [_override(t, facts.year, band) for t in triggers]
    grade = band
    for trigger in triggers:
        if trigger.triggered:
            grade = _worse(grade, trigger.condition.grade_at_most)
    zh = f"{facts.year}年度考核：{number(final_score)}分，{grade.value}"
    en = f"{facts.year} annual assessment: {number(final_score)} points, {GRADE_EN[grade]}"
    if points_total > FULL_MARKS:
        zh += f"（各项合计{number(points_total)}分，按满分{number(FULL_MARKS)}分计）"
        en += f" (the indicators total {number(points_total)}, counted as full marks)"
    if grade is not band:
        applied = [o for o in overrides if o.applied]
        zh += (
            f"；按分数为{band.value}，因{'、'.join(o.title_zh for o in applied)}，定为{grade.value}"
        )
        en += (
            f"; the score earns {GRADE_EN[band]}, limited to {GRADE_EN[grade]} by: "
            f"{'; '.join(o.title_en for o in applied)}"
        )
    return AssessmentResult(
        **common,
        verdict=AssessmentVerdict.GRADED,
        points_total=points_total,
        score=final_score,
        band_grade=band,
        overriding_conditions=overrides,
        grade=grade,
        grade_en=GRADE_EN[grade],
        summary_zh=zh + note_zh,
        summary_en=en + note_en,
    )


def result_document(result: AssessmentResult) -> dict[str, Any]:
    """The result as stored and compared on replay."""
    return result.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------
# Receipts


def check_scope(principal: Principal, facts: AssessmentFacts) -> None:
    """A district scores only its own jurisdiction's spaces, and must say which that is."""
    scope = principal.jurisdiction_scope
    if scope is not None and facts.jurisdiction_code != scope:
        got = facts.jurisdiction_code.value if facts.jurisdiction_code else "nothing"
        raise Forbidden(
            f"facts.jurisdiction_code must be your jurisdiction {scope} (got {got}); other "
            "spaces are assessed by their own district or the bureau"
        )


async def record(
    session: AsyncSession,
    book: SchemeBook,
    registry: RegistryClient,
    principal: Principal,
    facts: AssessmentFacts,
) -> AssessmentReceipt:
    """Score with the year's scheme and keep the receipt, pinned to that scheme's hash and
    filed under the space and jurisdiction the registry gives (``filing``)."""
    check_scope(principal, facts)
    loaded = book.for_year(facts.year)
    filed = await filing_for(registry, principal, facts.space_id, facts.jurisdiction_code)
    result = score(facts, loaded.scheme, loaded.content_hash)
    row = await repository.add(
        session,
        AssessmentReceiptRow(
            id=uuid.uuid4(),
            created_at=utcnow(),
            requested_by=principal.subject,
            requested_role=principal.role.value,
            space_id=filed.space_id,
            jurisdiction_code=filed.jurisdiction_code,
            year=facts.year,
            scheme_id=loaded.id,
            scheme_hash=loaded.content_hash,
            engine_version=result.engine_version,
            input_hash=result.input_hash,
            verdict=result.verdict,
            grade=result.grade,
            score_hundredths=None if result.score is None else int(result.score * 100),
            facts=canonical_json(facts.model_dump(mode="json")),
            result=canonical_json(result_document(result)),
        ),
    )
    return to_receipt(row)


def to_receipt(row: AssessmentReceiptRow) -> AssessmentReceipt:
    return AssessmentReceipt(
        id=row.id,
        created_at=row.created_at,
        requested_by=row.requested_by,
        requested_role=row.requested_role,
        space_id=row.space_id,
        jurisdiction_code=row.jurisdiction_code,
        facts=json.loads(row.facts),
        result=json.loads(row.result),
    )


def stored_score(row: AssessmentReceiptRow) -> Decimal | None:
    return None if row.score_hundredths is None else Decimal(row.score_hundredths).scaleb(-2)


async def get_receipt(
    session: AsyncSession, principal: Principal, receipt_id: uuid.UUID
) -> AssessmentReceiptRow:
    row = await repository.get(session, receipt_id, principal.jurisdiction_scope)
    if row is None:
        raise AssessmentReceiptNotFound(
            f"No assessment receipt {receipt_id} within your jurisdiction"
        )
    return row


def replay(book: SchemeBook, row: AssessmentReceiptRow) -> AssessmentReplay:
    """Re-score a stored receipt with its pinned scheme; it must come out identical."""

    def answer(differences: list[str]) -> AssessmentReplay:
        return AssessmentReplay(
            receipt_id=row.id,
            scheme_id=row.scheme_id,
            scheme_hash=row.scheme_hash,
            identical=not differences,
            same_outcome=wording_only(differences),
            differences=differences,
        )

    try:
        loaded = book.get(row.scheme_id)
    except AssessmentSchemeNotFound:
        return answer(["scheme.id"])  # the scheme file was withdrawn since
    if loaded.content_hash != row.scheme_hash:
        return answer(["scheme.content_hash"])
    stored = json.loads(row.result)
    facts = AssessmentFacts.model_validate(json.loads(row.facts))
    again = json.loads(
        canonical_json(result_document(score(facts, loaded.scheme, row.scheme_hash)))
    )
    return answer(json_differences(stored, again))
