"""The vocabulary checks are written in: each method tests one thing and records one finding."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from services.eligibility.engine.calendar import add_months, add_years
from services.eligibility.engine.explain import label, unit
from services.eligibility.engine.outcome import Finding, ParameterUsed, Shortfall, Verdict, jsonable
from shared.contracts.facts import SpaceFacts


def _fmt(value: Any) -> str:
    return str(jsonable(value))


class Judge:
    """Collects the findings of one condition for one set of facts on one date."""

    def __init__(
        self,
        facts: SpaceFacts,
        on: date,
        params: Mapping[str, ParameterUsed],
        *,
        explain: bool = True,
    ) -> None:
        self.facts = facts
        self.explain = explain
        self.on = on
        self.params = params
        self.findings: list[Finding] = []

    def param(self, name: str) -> ParameterUsed:
        return self.params[name]

    def _add(self, text: Callable[[], tuple[str, str]], **finding: Any) -> None:
        # Words are built only when asked for: a batch or impact run needs verdicts alone.
        if self.explain:
            finding["explanation_zh"], finding["explanation_en"] = text()
        self.findings.append(Finding(**finding))

    def _missing(self, code: str, path: str, parameter: ParameterUsed | None = None) -> None:
        zh, en = label(path)
        self._add(
            code=code,
            verdict=Verdict.MISSING_FACTS,
            missing_facts=[path],
            parameter=parameter,
            text=lambda: (
                f"缺少事实：{zh}（{path}）",
                f"Missing fact: {en} ({path})",
            ),
        )

    def at_least(self, code: str, path: str, actual: int | Decimal | None, parameter: str) -> None:
        """以上/不少于/不低于: the bound itself is enough."""
        p = self.param(parameter)
        if actual is None:
            self._missing(code, path, p)
            return
        zh, en = label(path)
        u_zh, u_en = unit(p.unit)
        required = Decimal(str(p.value))
        if Decimal(actual) >= required:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts={path: jsonable(actual)},
                parameter=p,
                text=lambda: (
                    f"{zh}{_fmt(actual)}{u_zh}，不低于{_fmt(p.value)}{u_zh}",
                    f"{en} {_fmt(actual)} {u_en}, at least {_fmt(p.value)} {u_en}",
                ),
            )
            return
        gap = required - Decimal(actual)
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts={path: jsonable(actual)},
            parameter=p,
            shortfall=Shortfall(
                actual=jsonable(actual), required=jsonable(p.value), unit=p.unit, gap=jsonable(gap)
            ),
            text=lambda: (
                f"{zh}{_fmt(actual)}{u_zh}，比{_fmt(p.value)}{u_zh}少{_fmt(gap)}{u_zh}",
                f"{en} {_fmt(actual)} {u_en}, {_fmt(gap)} {u_en} short of {_fmt(p.value)} {u_en}",
            ),
        )

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
        p = self.param(parameter)
        missing = [path for path, v in ((part_path, part), (whole_path, whole)) if v is None]
        if missing:
            for path in missing:
                self._missing(code, path, p)
            return
        assert part is not None
        assert whole is not None
        zh, en = label(part_path)
        facts = {part_path: jsonable(part), whole_path: jsonable(whole)}
        required = Decimal(str(p.value))
        # Rounded down, so a share just below the bound never reads as reaching it.
        share = (
            (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            if whole > 0
            else Decimal(0)
        )
        # Compare exactly (part × 100 ≥ share × whole), not the rounded share.
        if whole > 0 and part * 100 >= required * whole:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts=facts,
                parameter=p,
                text=lambda: (
                    f"{zh}占总面积{_fmt(share)}%，不低于{_fmt(p.value)}%",
                    f"{en} is {_fmt(share)} % of the total, at least {_fmt(p.value)} %",
                ),
            )
            return
        needed = (required * whole / 100).quantize(Decimal("0.01"))
        gap_m2 = needed - part
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts=facts,
            parameter=p,
            shortfall=Shortfall(
                actual=jsonable(share),
                required=jsonable(p.value),
                unit="percent",
                gap=jsonable(required - share),
            ),
            text=lambda: (
                f"{zh}占总面积{_fmt(share)}%，低于{_fmt(p.value)}%；"
                f"需至少{_fmt(needed)}平方米，少{_fmt(gap_m2)}平方米",
                f"{en} is {_fmt(share)} % of the total, below {_fmt(p.value)} %: "
                f"needs at least {_fmt(needed)} m², {_fmt(gap_m2)} m² short",
            ),
        )

    def required(self, code: str, path: str, value: bool | None) -> None:
        zh, en = label(path)
        if value is None:
            self._missing(code, path)
        elif value:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts={path: True},
                text=lambda: (
                    f"{zh}：具备",
                    f"{en}: yes",
                ),
            )
        else:
            self._add(
                code=code,
                verdict=Verdict.NOT_MET,
                facts={path: False},
                shortfall=Shortfall(actual=False, required=True, unit="items", gap=[path]),
                text=lambda: (
                    f"{zh}：不具备（要求具备）",
                    f"{en}: no (required)",
                ),
            )

    def period_complete(self, code: str, path: str, start: date | None, parameter: str) -> None:
        """满 N 年/个月: complete on the corresponding day, which may be the application date."""
        p = self.param(parameter)
        if start is None:
            self._missing(code, path, p)
            return
        zh, en = label(path)
        n = int(p.value)
        due = add_years(start, n) if p.unit == "years" else add_months(start, n)
        u_zh, u_en = unit(p.unit)
        facts = {path: start.isoformat(), "application_date": self.on.isoformat()}
        if due <= self.on:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts=facts,
                parameter=p,
                text=lambda: (
                    f"{zh}{start.isoformat()}，于{due.isoformat()}满{n}{u_zh}，"
                    f"不晚于申报日{self.on.isoformat()}",
                    f"{en} {start.isoformat()}: {n} {u_en} complete on "
                    f"{due.isoformat()}, by the application date "
                    f"{self.on.isoformat()}",
                ),
            )
            return
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts=facts,
            parameter=p,
            shortfall=Shortfall(
                actual=self.on.isoformat(),
                required=due.isoformat(),
                unit="date",
                gap=(due - self.on).days,
            ),
            text=lambda: (
                f"{zh}{start.isoformat()}，满{n}{u_zh}之日为{due.isoformat()}，"
                f"比申报日{self.on.isoformat()}晚{(due - self.on).days}天",
                f"{en} {start.isoformat()}: {n} {u_en} are complete only on "
                f"{due.isoformat()}, {(due - self.on).days} days after the "
                f"application date {self.on.isoformat()}",
            ),
        )

    def lasts_at_least(
        self, code: str, start: date | None, end: date | None, parameter: str
    ) -> None:
        """A lease of N years or more. Both dates are days of the lease, as a contract writes
        them: 2024-04-01 to 2027-03-31 is a lease of exactly 3 years."""
        p = self.param(parameter)
        missing = [
            path
            for path, v in (("premises.lease_start", start), ("premises.lease_end", end))
            if v is None
        ]
        if missing:
            for path in missing:
                self._missing(code, path, p)
            return
        assert start is not None
        assert end is not None
        due = add_years(start, int(p.value)) - timedelta(days=1)  # the last day of N years
        facts = {"premises.lease_start": start.isoformat(), "premises.lease_end": end.isoformat()}
        if end >= due:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts=facts,
                parameter=p,
                text=lambda: (
                    f"租期{start.isoformat()}至{end.isoformat()}，不少于{p.value}年",
                    f"lease {start.isoformat()} to {end.isoformat()}, at least {p.value} years",
                ),
            )
            return
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts=facts,
            parameter=p,
            shortfall=Shortfall(
                actual=end.isoformat(), required=due.isoformat(), unit="date", gap=(due - end).days
            ),
            text=lambda: (
                f"租期至{end.isoformat()}止，须至少至{due.isoformat()}（{p.value}年以上）",
                f"lease ends {end.isoformat()}, needs to run to at least "
                f"{due.isoformat()} ({p.value} years)",
            ),
        )

    def covers(self, code: str, start: date | None, end: date | None) -> None:
        """The lease is in force on the application date."""
        if start is None or end is None:
            return  # reported as missing by lasts_at_least
        facts = {
            "premises.lease_start": start.isoformat(),
            "premises.lease_end": end.isoformat(),
            "application_date": self.on.isoformat(),
        }
        if start <= self.on <= end:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts=facts,
                text=lambda: (
                    f"申报日{self.on.isoformat()}在租期内",
                    f"the lease is in force on the application date {self.on.isoformat()}",
                ),
            )
            return
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts=facts,
            shortfall=Shortfall(
                actual=self.on.isoformat(),
                required=f"{start.isoformat()}..{end.isoformat()}",
                unit="date",
                gap=None,
            ),
            text=lambda: (
                f"申报日{self.on.isoformat()}不在租期{start.isoformat()}至{end.isoformat()}内",
                f"the lease ({start.isoformat()} to {end.isoformat()}) is not in "
                f"force on the application date {self.on.isoformat()}",
            ),
        )

    def includes(
        self, code: str, path: str, actual: Collection[str] | None, parameter: str
    ) -> None:
        """Every item the parameter lists is present."""
        p = self.param(parameter)
        if actual is None:
            self._missing(code, path, p)
            return
        zh, en = label(path)
        have = sorted(str(a) for a in actual)
        lacking = sorted(set(p.value) - set(have))
        if not lacking:
            self._add(
                code=code,
                verdict=Verdict.MET,
                facts={path: have},
                parameter=p,
                text=lambda: (
                    f"{zh}齐全：{'、'.join(have)}",
                    f"{en} complete: {', '.join(have)}",
                ),
            )
            return
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts={path: have},
            parameter=p,
            shortfall=Shortfall(actual=have, required=sorted(p.value), unit="items", gap=lacking),
            text=lambda: (
                f"{zh}缺少：{'、'.join(lacking)}",
                f"{en} lacking: {', '.join(lacking)}",
            ),
        )

    def review(
        self, code: str, path: str, evidence: bool | None, what_zh: str, what_en: str
    ) -> None:
        """A matter a person decides; evidence must exist before they can."""
        zh, en = label(path)
        if evidence is None:
            self._missing(code, path)
        elif not evidence:
            self._add(
                code=code,
                verdict=Verdict.NOT_MET,
                facts={path: False},
                shortfall=Shortfall(actual=False, required=True, unit="items", gap=[path]),
                text=lambda: (
                    f"{zh}：未提供（要求具备）",
                    f"{en}: none submitted (required)",
                ),
            )
        else:
            self.judgement(code, what_zh, what_en, facts={path: True})

    def judgement(
        self, code: str, what_zh: str, what_en: str, facts: dict[str, Any] | None = None
    ) -> None:
        self._add(
            code=code,
            verdict=Verdict.NEEDS_REVIEW,
            facts=facts or {},
            text=lambda: (
                f"需人工审核：{what_zh}",
                f"For a person to judge: {what_en}",
            ),
        )

    def not_met(
        self,
        code: str,
        facts: dict[str, Any],
        zh: str,
        en: str,
        shortfall: Shortfall | None = None,
        parameter: str | None = None,
    ) -> None:
        self._add(
            code=code,
            verdict=Verdict.NOT_MET,
            facts=facts,
            shortfall=shortfall,
            parameter=self.param(parameter) if parameter else None,
            text=lambda: (
                zh,
                en,
            ),
        )

    def met(
        self, code: str, facts: dict[str, Any], zh: str, en: str, parameter: str | None = None
    ) -> None:
        self._add(
            code=code,
            verdict=Verdict.MET,
            facts=facts,
            parameter=self.param(parameter) if parameter else None,
            text=lambda: (
                zh,
                en,
            ),
        )

    def missing(self, code: str, path: str, parameter: str | None = None) -> None:
        self._missing(code, path, self.param(parameter) if parameter else None)
