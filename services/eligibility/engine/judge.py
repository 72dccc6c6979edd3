"""The vocabulary checks are written in: each method tests one thing and records one finding.

This is the engine's hot loop (a batch or an impact run calls it hundreds of thousands of
times), so it is written for speed without changing a word of what it finds: each parameter's
number, text and unit words are prepared once per loaded rule (``RuleParameter``), findings are
built with the dataclass's positional constructor, and a finding that depends on nothing but a
yes/no/unknown fact (``facilities.power: yes``) is built once per rule and shared: findings are
frozen, so sharing one is the same as building it again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from types import MappingProxyType
from typing import Any

from services.eligibility.engine.calendar import add_months, date_text, days_in_month
from services.eligibility.engine.explain import LABELS, UNITS, VERDICT_WORDS, code_zh
from services.eligibility.engine.outcome import (
    Finding,
    ParameterUsed,
    Shortfall,
    Verdict,
    jsonable,
    new_finding,
    new_shortfall,
)
from shared.contracts.facts import SpaceFacts
from shared.contracts.spaces import SpaceForm

_MET, _NOT_MET = Verdict.MET, Verdict.NOT_MET
_MISSING, _REVIEW = Verdict.MISSING_FACTS, Verdict.NEEDS_REVIEW
_HUNDREDTH = Decimal("0.01")
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)  # (an int operand would be converted to a Decimal on every use)
# The missing facts of a finding that misses none. Findings are frozen and their lists never
# changed, so one empty list serves them all (as shared findings are shared whole).
_NONE: list[str] = []
_NO_PARAMETERS: Mapping[str, RuleParameter] = MappingProxyType({})
_DAY = timedelta(days=1)
MAX_SHARED_FINDINGS = 2_000  # per rule, for keys that are not few by nature (counts, dates)


def _fmt(value: Any) -> str:
    return str(jsonable(value))


def _dec(value: int | Decimal) -> str:
    """A number as a receipt writes it (``jsonable``): decimals as plain strings.

    ``format(value.normalize(), "f")``, taken from ``str(value)`` where that is plain notation
    of few digits (areas and shares always are): normalising then only drops trailing zeros
    after the point, and the point itself if nothing follows it.
    """
    if type(value) is not Decimal:
        return str(value)
    text = str(value)
    if "E" in text or len(text) > 24:
        return format(value.normalize(), "f")
    if "." in text:
        return text.rstrip("0").rstrip(".")
    return text


def _label(path: str) -> tuple[str, str]:
    return LABELS.get(path, (path, path))


def _unit(name: str) -> tuple[str, str]:
    return UNITS.get(name, (name, name))


@dataclass(frozen=True, slots=True)
class RuleParameter:
    """A rule's parameter, prepared once: what findings cite, and what sentences say."""

    used: ParameterUsed
    as_json: Any  # the value as a receipt records it
    text: str  # the value as a sentence writes it
    number: Decimal | None  # the value as a threshold, for numeric parameters
    unit_zh: str
    unit_en: str
    # For a period (满 N 年/个月): N as a sentence writes it, and in months; None otherwise.
    period_text: str | None = None
    months: int | None = None

    @classmethod
    def of(cls, used: ParameterUsed) -> RuleParameter:
        value = used.value
        numeric = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        unit_zh, unit_en = _unit(used.unit)
        period_text = months = None
        if numeric:
            period_text = str(int(value))
            months = int(value) * 12 if used.unit == "years" else int(value)
        return cls(
            used=used,
            as_json=jsonable(value),
            text=_fmt(value),
            number=Decimal(str(value)) if numeric else None,
            unit_zh=unit_zh,
            unit_en=unit_en,
            period_text=period_text,
            months=months,
        )


class ConditionPlan:
    """What evaluating one condition rule needs, gathered once per loaded rule."""

    __slots__ = (
        "by_reads",
        "clause",
        "clause_text",
        "forms",
        "heads",
        "id",
        "interned",
        "params",
        "reads",
        "results",
        "results_shared",
        "run",
        "texts",
        "title_en",
        "title_zh",
    )

    def __init__(
        self,
        *,
        id: str,
        title_zh: str,
        title_en: str,
        clause: str,
        clause_text: str,
        forms: Collection[SpaceForm],
        params: Mapping[str, RuleParameter],
        run: Callable[[Judge], None],
        reads: Callable[[SpaceFacts, date], Hashable] | None = None,
    ) -> None:
        self.id, self.title_zh, self.title_en = id, title_zh, title_en
        self.reads = reads
        self.clause, self.clause_text = clause, clause_text
        self.forms = frozenset(forms)
        self.params = params
        self.run = run
        # "C2 固定的办公场所：不符合" / "C2 Fixed premises: not met", for each verdict
        self.heads = {
            verdict: (f"{id} {title_zh}：{zh}", f"{id} {title_en}: {en}")
            for verdict, (zh, en) in VERDICT_WORDS.items()
        }
        # Findings, and whole results, shared by every decision under this rule: results of
        # shared findings keyed by the findings, and results keyed by what the check reads.
        self.interned: dict[tuple[Any, ...], Finding] = {}
        self.results: dict[tuple[Any, ...], Any] = {}
        # Results of a check with ``reads``, by the value it reads: [explain=False, True].
        self.by_reads: tuple[dict[Hashable, Any], dict[Hashable, Any]] = ({}, {})
        # The shared results by identity, and their receipt text once written (document.py).
        self.results_shared: dict[int, Any] = {}
        self.texts: dict[int, str] = {}

    def share(self, key: tuple[Any, ...], result: Any) -> None:
        """Keep ``result`` for every decision whose condition comes to ``key``."""
        self.results[key] = result
        self.results_shared[id(result)] = result

    def share_read(self, explain: bool, read: Hashable, result: Any) -> None:
        """Keep ``result`` for every decision whose check reads ``read``."""
        self.by_reads[explain][read] = result
        self.results_shared[id(result)] = result


class Judge:
    """Collects the findings of one condition for one set of facts on one date."""

    __slots__ = ("explain", "facts", "findings", "interned", "on", "on_text", "params", "shared")

    def __init__(
        self,
        facts: SpaceFacts,
        on: date,
        params: Mapping[str, RuleParameter] | None = None,
        *,
        explain: bool = True,
        interned: dict[tuple[Any, ...], Finding] | None = None,
    ) -> None:
        self.facts = facts
        self.explain = explain
        self.on = on
        self.on_text = date_text(on)
        # start(), written out (a decision makes one judge).
        self.params = _NO_PARAMETERS if params is None else params
        self.findings: list[Finding] = []
        self.interned = {} if interned is None else interned
        self.shared = 0

    def start(
        self, params: Mapping[str, RuleParameter], interned: dict[tuple[Any, ...], Finding]
    ) -> None:
        """Begin the next condition on the same facts: its parameters and shared findings."""
        self.params = params
        self.findings = []
        # Findings that depend on no number or date, shared by every decision under this rule;
        # ``shared`` counts those among ``findings`` (all shared: the condition's result can be).
        self.interned = interned
        self.shared = 0

    def param(self, name: str) -> ParameterUsed:
        return self.params[name].used

    def _verdict_only(self, code: str, met: bool, parameter: ParameterUsed | None) -> None:
        """A finding of a date or an area for a run that answers verdicts only (batch, impact):
        the verdict and the parameter, without the facts quoted, the shortfall or sentences;
        so one finding per code and verdict serves every decision."""
        key = ("verdict only", code, met, None if parameter is None else parameter.name)
        found = self.interned.get(key)
        if found is None:
            found = self.interned[key] = new_finding(
                code, _MET if met else _NOT_MET, {}, parameter, None, [], "", ""
            )
        self.findings.append(found)
        self.shared += 1

    def shared_finding(self, key: tuple[Any, ...], build: Callable[[], Finding]) -> None:
        """Record the finding ``build`` makes, built once per ``key`` under this rule.

        For a check whose finding depends only on what ``key`` holds (the application date, an
        enumeration): the key must name every input the finding depends on. The number of
        keys kept is capped, so an unbounded key (a date) can never grow without end.
        """
        found = self.interned.get(key)
        if found is None:
            found = build()
            if len(self.interned) >= MAX_SHARED_FINDINGS:
                self.findings.append(found)
                return
            self.interned[key] = found
        self.findings.append(found)
        self.shared += 1

    def _missing(self, code: str, path: str, parameter: ParameterUsed | None = None) -> None:
        key = ("missing", code, path, None if parameter is None else parameter.name)
        found = self.interned.get(key)
        if found is None:
            zh, en = _label(path)
            found = self.interned[key] = new_finding(
                code,
                _MISSING,
                {},
                parameter,
                None,
                [path],
                f"缺少事实：{zh}（{path}）",
                f"Missing fact: {en} ({path})",
            )
        self.findings.append(found)
        self.shared += 1

    def at_least(self, code: str, path: str, actual: int | Decimal | None, parameter: str) -> None:
        """以上/不少于/不低于: the bound itself is enough."""
        p = self.params[parameter]
        if actual is None:
            self._missing(code, path, p.used)
            return
        if isinstance(actual, Decimal):
            if not self.explain:
                assert p.number is not None
                self._verdict_only(code, actual >= p.number, p.used)
                return
            self.findings.append(_at_least(code, path, actual, p, True))
            return
        # A count (teams, staff, workstations) takes few values: one finding per value.
        key = ("at_least", code, path, parameter, actual)
        found = self.interned.get(key)
        if found is None:
            found = _at_least(code, path, actual, p, True)
            if len(self.interned) >= MAX_SHARED_FINDINGS:
                self.findings.append(found)
                return
            self.interned[key] = found
        self.findings.append(found)
        self.shared += 1

    def share_at_least(
        self,
        code: str,
        part_path: str,
        part: Decimal | None,
        whole_path: str,
        whole: Decimal | None,
        parameter: str,
    ) -> None:
        """``part`` is at least ``parameter`` per cent of ``whole`` (the bound included)."""
        p = self.params[parameter]
        if part is None or whole is None:
            for path, value in ((part_path, part), (whole_path, whole)):
                if value is None:
                    self._missing(code, path, p.used)
            return
        required = p.number
        assert required is not None
        # Compare exactly (part × 100 ≥ share × whole), not the rounded share.
        positive = whole > _ZERO
        part_100 = part * _HUNDRED
        met = positive and part_100 >= required * whole
        if not self.explain:
            self._verdict_only(code, met, p.used)
            return
        facts = {part_path: _dec(part), whole_path: _dec(whole)}
        # Rounded down, so a share just below the bound never reads as reaching it.
        share = (part_100 / whole).quantize(_HUNDREDTH, ROUND_DOWN) if positive else _ZERO
        share_json = _dec(share)
        label_zh, label_en = LABELS.get(part_path) or (part_path, part_path)
        v = p.text
        if met:
            self.findings.append(
                new_finding(
                    code,
                    _MET,
                    facts,
                    p.used,
                    None,
                    _NONE,
                    f"{label_zh}占总面积{share_json}%，不低于{v}%",
                    f"{label_en} is {share_json} % of the total, at least {v} %",
                )
            )
            return
        needed = (required * whole / _HUNDRED).quantize(_HUNDREDTH)
        n, g = _dec(needed), _dec(needed - part)
        self.findings.append(
            new_finding(
                code,
                _NOT_MET,
                facts,
                p.used,
                new_shortfall(share_json, p.as_json, "percent", _dec(required - share)),
                _NONE,
                f"{label_zh}占总面积{share_json}%，低于{v}%；需至少{n}平方米，少{g}平方米",
                f"{label_en} is {share_json} % of the total, below {v} %: "
                f"needs at least {n} m², {g} m² short",
            )
        )

    def required(self, code: str, path: str, value: bool | None) -> None:
        key = ("required", code, path, value)
        found = self.interned.get(key)
        if found is None:
            if value is None:
                self._missing(code, path)
                return
            zh, en = _label(path)
            if value:
                found = new_finding(
                    code, _MET, {path: True}, None, None, [], f"{zh}：具备", f"{en}: yes"
                )
            else:
                found = new_finding(
                    code,
                    _NOT_MET,
                    {path: False},
                    None,
                    new_shortfall(False, True, "items", [path]),
                    [],
                    f"{zh}：不具备（要求具备）",
                    f"{en}: no (required)",
                )
            self.interned[key] = found
        self.findings.append(found)
        self.shared += 1

    def period_complete(self, code: str, path: str, start: date | None, parameter: str) -> None:
        """满 N 年/个月: complete on the corresponding day, which may be the application date."""
        p = self.params[parameter]
        if start is None:
            self._missing(code, path, p.used)
            return
        months, n = p.months, p.period_text
        assert months is not None
        on = self.on
        # add_months(start, months), written out
        year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
        day = start.day
        if day > 28:
            day = min(day, days_in_month(year, month0 + 1))
        due = date(year, month0 + 1, day)
        if not self.explain:
            self._verdict_only(code, due <= on, p.used)
            return
        start_text, due_text, on_text = date_text(start), date_text(due), self.on_text
        facts = {path: start_text, "application_date": on_text}
        label_zh, label_en = LABELS.get(path) or (path, path)
        if due <= on:
            self.findings.append(
                new_finding(
                    code,
                    _MET,
                    facts,
                    p.used,
                    None,
                    _NONE,
                    f"{label_zh}{start_text}，于{due_text}满{n}{p.unit_zh}，不晚于申报日{on_text}",
                    f"{label_en} {start_text}: {n} {p.unit_en} complete on {due_text}, "
                    f"by the application date {on_text}",
                )
            )
            return
        late = (due - on).days
        self.findings.append(
            new_finding(
                code,
                _NOT_MET,
                facts,
                p.used,
                new_shortfall(on_text, due_text, "date", late),
                _NONE,
                f"{label_zh}{start_text}，满{n}{p.unit_zh}之日为{due_text}，"
                f"比申报日{on_text}晚{late}天",
                f"{label_en} {start_text}: {n} {p.unit_en} are complete only on {due_text}, "
                f"{late} days after the application date {on_text}",
            )
        )

    def lasts_at_least(
        self, code: str, start: date | None, end: date | None, parameter: str
    ) -> None:
        """A lease of N years or more. Both dates are days of the lease, as a contract writes
        them: 2024-04-01 to 2027-03-31 is a lease of exactly 3 years."""
        self.lease(code, None, start, end, parameter)

    def covers(self, code: str, start: date | None, end: date | None) -> None:
        """The lease is in force on the application date."""
        if start is None or end is None:
            return  # reported as missing by lasts_at_least
        self._covers(code, start, end, date_text(start), date_text(end))

    def lease(
        self,
        term_code: str,
        in_force_code: str | None,
        start: date | None,
        end: date | None,
        parameter: str,
    ) -> None:
        """``lasts_at_least(term_code, ...)``, then ``covers(in_force_code, ...)`` when that is
        given: the same findings, the lease's dates written once for both."""
        p = self.params[parameter]
        if start is None or end is None:
            for path, value in (("premises.lease_start", start), ("premises.lease_end", end)):
                if value is None:
                    self._missing(term_code, path, p.used)
            return
        years = p.used.value
        due = add_months(start, int(years) * 12) - _DAY  # the last day of N years
        if not self.explain:
            self._verdict_only(term_code, end >= due, p.used)
            if in_force_code is not None:
                on = self.on
                self._verdict_only(in_force_code, start <= on <= end, None)
            return
        start_text, end_text = date_text(start), date_text(end)
        facts = {"premises.lease_start": start_text, "premises.lease_end": end_text}
        if end >= due:
            self.findings.append(
                new_finding(
                    term_code,
                    _MET,
                    facts,
                    p.used,
                    None,
                    _NONE,
                    f"租期{start_text}至{end_text}，不少于{years}年",
                    f"lease {start_text} to {end_text}, at least {years} years",
                )
            )
        else:
            due_text = date_text(due)
            self.findings.append(
                new_finding(
                    term_code,
                    _NOT_MET,
                    facts,
                    p.used,
                    new_shortfall(end_text, due_text, "date", (due - end).days),
                    _NONE,
                    f"租期至{end_text}止，须至少至{due_text}（{years}年以上）",
                    f"lease ends {end_text}, needs to run to at least {due_text} ({years} years)",
                )
            )
        if in_force_code is not None:
            self._covers(in_force_code, start, end, start_text, end_text)

    def _covers(self, code: str, start: date, end: date, start_text: str, end_text: str) -> None:
        on = self.on
        if not self.explain:
            self._verdict_only(code, start <= on <= end, None)
            return
        on_text = self.on_text
        facts = {
            "premises.lease_start": start_text,
            "premises.lease_end": end_text,
            "application_date": on_text,
        }
        if start <= on <= end:
            self.findings.append(
                new_finding(
                    code,
                    _MET,
                    facts,
                    None,
                    None,
                    _NONE,
                    f"申报日{on_text}在租期内",
                    f"the lease is in force on the application date {on_text}",
                )
            )
            return
        self.findings.append(
            new_finding(
                code,
                _NOT_MET,
                facts,
                None,
                new_shortfall(on_text, f"{start_text}..{end_text}", "date", None),
                _NONE,
                f"申报日{on_text}不在租期{start_text}至{end_text}内",
                f"the lease ({start_text} to {end_text}) is not in "
                f"force on the application date {on_text}",
            )
        )

    def includes(
        self, code: str, path: str, actual: Collection[str] | None, parameter: str
    ) -> None:
        """Every item the parameter lists is present."""
        p = self.params[parameter]
        if actual is None:
            self._missing(code, path, p.used)
            return
        # The items given are a (hashable) set of enumeration members: one finding per set.
        key = ("includes", code, path, parameter, frozenset(actual))
        found = self.interned.get(key)
        if found is None:
            found = self.interned[key] = self._includes(code, path, actual, p)
        self.findings.append(found)
        self.shared += 1

    @staticmethod
    def _includes(code: str, path: str, actual: Collection[str], p: RuleParameter) -> Finding:
        zh, en = _label(path)
        have = sorted(str(a) for a in actual)
        lacking = sorted(set(p.used.value) - set(have))
        if not lacking:
            return new_finding(
                code,
                _MET,
                {path: have},
                p.used,
                None,
                [],
                f"{zh}齐全：{'、'.join(code_zh(a) for a in have)}",
                f"{en} complete: {', '.join(have)}",
            )
        return new_finding(
            code,
            _NOT_MET,
            {path: have},
            p.used,
            new_shortfall(have, sorted(p.used.value), "items", lacking),
            [],
            f"{zh}缺少：{'、'.join(code_zh(a) for a in lacking)}",
            f"{en} lacking: {', '.join(lacking)}",
        )

    def review(
        self, code: str, path: str, evidence: bool | None, what_zh: str, what_en: str
    ) -> None:
        """A matter a person decides; evidence must exist before they can."""
        key = ("review", code, path, evidence, what_zh, what_en)
        found = self.interned.get(key)
        if found is None:
            if evidence is None:
                self._missing(code, path)
                return
            if evidence:
                found = _judgement(code, what_zh, what_en, {path: True})
            else:
                zh, en = _label(path)
                found = new_finding(
                    code,
                    _NOT_MET,
                    {path: False},
                    None,
                    new_shortfall(False, True, "items", [path]),
                    [],
                    f"{zh}：未提供（要求具备）",
                    f"{en}: none submitted (required)",
                )
            self.interned[key] = found
        self.findings.append(found)
        self.shared += 1

    def judgement(
        self, code: str, what_zh: str, what_en: str, facts: dict[str, Any] | None = None
    ) -> None:
        if facts:
            self.findings.append(_judgement(code, what_zh, what_en, facts))
            return
        key = ("judgement", code, what_zh, what_en)
        found = self.interned.get(key)
        if found is None:
            found = self.interned[key] = _judgement(code, what_zh, what_en, {})
        self.findings.append(found)
        self.shared += 1

    def not_met(
        self,
        code: str,
        facts: dict[str, Any],
        zh: str,
        en: str,
        shortfall: Shortfall | None = None,
        parameter: str | None = None,
    ) -> None:
        if not self.explain:
            zh = en = ""
        self.findings.append(self.not_met_finding(code, facts, zh, en, shortfall, parameter))

    def met(
        self, code: str, facts: dict[str, Any], zh: str, en: str, parameter: str | None = None
    ) -> None:
        if not self.explain:
            zh = en = ""
        self.findings.append(self.met_finding(code, facts, zh, en, parameter))

    def not_met_finding(
        self,
        code: str,
        facts: dict[str, Any],
        zh: str,
        en: str,
        shortfall: Shortfall | None = None,
        parameter: str | None = None,
    ) -> Finding:
        """The finding ``not_met`` records (with its sentences), for ``shared_finding``."""
        used = self.params[parameter].used if parameter else None
        return new_finding(code, _NOT_MET, facts, used, shortfall, [], zh, en)

    def met_finding(
        self, code: str, facts: dict[str, Any], zh: str, en: str, parameter: str | None = None
    ) -> Finding:
        """The finding ``met`` records (with its sentences), for ``shared_finding``."""
        used = self.params[parameter].used if parameter else None
        return new_finding(code, _MET, facts, used, None, [], zh, en)

    def missing(self, code: str, path: str, parameter: str | None = None) -> None:
        self._missing(code, path, self.params[parameter].used if parameter else None)


def _judgement(code: str, what_zh: str, what_en: str, facts: dict[str, Any]) -> Finding:
    return new_finding(
        code,
        _REVIEW,
        facts,
        None,
        None,
        [],
        f"需人工审核：{what_zh}",
        f"For a person to judge: {what_en}",
    )


def _at_least(
    code: str, path: str, actual: int | Decimal, p: RuleParameter, explain: bool
) -> Finding:
    required = p.number
    assert required is not None
    actual_json = _dec(actual) if type(actual) is Decimal else actual
    zh = en = ""
    if actual >= required:
        if explain:
            a, v = str(actual_json), p.text
            label_zh, label_en = LABELS.get(path) or (path, path)
            zh = f"{label_zh}{a}{p.unit_zh}，不低于{v}{p.unit_zh}"
            en = f"{label_en} {a} {p.unit_en}, at least {v} {p.unit_en}"
        return new_finding(code, _MET, {path: actual_json}, p.used, None, _NONE, zh, en)
    gap = _dec(required - actual)
    if explain:
        a, v = str(actual_json), p.text
        label_zh, label_en = LABELS.get(path) or (path, path)
        zh = f"{label_zh}{a}{p.unit_zh}，比{v}{p.unit_zh}少{gap}{p.unit_zh}"
        en = f"{label_en} {a} {p.unit_en}, {gap} {p.unit_en} short of {v} {p.unit_en}"
    return new_finding(
        code,
        _NOT_MET,
        {path: actual_json},
        p.used,
        new_shortfall(actual_json, p.as_json, p.used.unit, gap),
        _NONE,
        zh,
        en,
    )
