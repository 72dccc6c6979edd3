"""Statistics for a date (spaces, levels, teams, activities, assessment grades); no HTTP here.

Every figure is computed in the database over the spaces open on ``as_of`` and, for a district
officer, in its own jurisdiction only (so its figures, breakdowns and shares are its own).
Statuses and levels are those in force at the end of ``as_of``; yearly figures cover the
calendar ``year`` up to ``as_of``. Every category appears, with 0 where nothing counts.
The team figures come from the per-day rollup ``team_day_counts`` (kept with every joining and
end), so they cost the same with a million teams as with ten.
Given a province total, a share is the count here as a percentage of it, to one decimal
(half up), as the Measures' article reports them ("国家备案23家，占全省的76.7%").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import ActivityKind
from services.registry.statistics import repository
from services.registry.statistics.schemas import (
    ActivityCounts,
    AssessmentCounts,
    LevelCounts,
    Share,
    SpaceCounts,
    Statistics,
    TeamCounts,
)
from shared.auth import Principal
from shared.contracts.assessment import AssessmentGrade
from shared.contracts.jurisdictions import JURISDICTION_CODES, JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceLevel, SpaceProfile, SpaceStatus
from shared.errors import FieldError, RequestInvalid
from shared.timezone import today_in_china


class StatisticsInvalid(RequestInvalid):
    slug = "statistics-invalid"


@dataclass(frozen=True)
class ProvinceTotals:
    """The province's own totals, when the caller gives them (for shares)."""

    national_filing: int | None = None
    provincial: int | None = None
    municipal_or_above: int | None = None
    excellent: int | None = None  # 优秀 in the year's assessment


_MEASURES = {
    "national_filing": ("国家备案", "national filings"),
    "provincial": ("省级", "provincial spaces"),
    "municipal_or_above": ("市级以上", "spaces at municipal level or above"),
    "excellent": ("考核优秀", "rated excellent"),
}


def _zeros(keys: list[str], counted: dict[str, int]) -> dict[str, int]:
    return {key: counted.get(key, 0) for key in keys}


def share_percent(count: int, total: int) -> Decimal:
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


async def statistics(
    session: AsyncSession,
    principal: Principal,
    as_of: date | None,
    year: int | None,
    province: ProvinceTotals,
) -> Statistics:
    on = as_of if as_of is not None else today_in_china()
    the_year = year if year is not None else on.year
    errors: list[FieldError] = []
    if on > today_in_china():
        errors.append(_field("query.as_of", "is in the future (China time)"))
    if the_year > on.year:
        errors.append(_field("query.year", f"is after as_of's year ({on.year})"))
    if errors:
        _raise(errors)

    scope = principal.jurisdiction_scope
    scoped = repository.spaces_in_scope(on, scope)
    by_form = await repository.count_spaces_by(session, scoped, "form")
    jurisdictions = [scope] if scope is not None else sorted(JURISDICTION_CODES)
    by_level, any_level, any_by_jurisdiction = await repository.count_levels(session, scoped, on)
    year_start = date(the_year, 1, 1)
    through = min(date(the_year, 12, 31), on)
    in_incubation, graduated, graduated_in_year = await repository.count_teams(
        session, scope, on, year_start, through
    )
    activities = await repository.count_activities(session, scoped, year_start, through)
    grades = await repository.count_grades(session, scoped, the_year, on)

    levels = LevelCounts(
        municipal=by_level.get(SpaceLevel.MUNICIPAL.value, 0),
        provincial=by_level.get(SpaceLevel.PROVINCIAL.value, 0),
        national_filing=by_level.get(SpaceLevel.NATIONAL_FILING.value, 0),
        municipal_or_above=any_level,
        municipal_or_above_by_jurisdiction=_zeros(jurisdictions, any_by_jurisdiction),
    )
    assessments = AssessmentCounts(
        assessed=sum(grades.values()),
        by_grade=_zeros([grade.value for grade in AssessmentGrade], grades),
    )
    return Statistics(
        as_of=on,
        year=the_year,
        jurisdiction_code=JurisdictionCode(scope) if scope is not None else None,
        spaces=SpaceCounts(
            total=sum(by_form.values()),
            by_status=_zeros(
                [s.value for s in SpaceStatus],
                await repository.count_spaces_by_status(session, scoped, on),
            ),
            by_form=_zeros([f.value for f in SpaceForm], by_form),
            by_profile=_zeros(
                [p.value for p in SpaceProfile],
                await repository.count_spaces_by(session, scoped, "profile"),
            ),
            by_jurisdiction=_zeros(
                jurisdictions,
                await repository.count_spaces_by(session, scoped, "jurisdiction_code"),
            ),
        ),
        levels=levels,
        teams=TeamCounts(
            in_incubation=in_incubation,
            graduated=graduated,
            graduated_in_year=graduated_in_year,
        ),
        activities=ActivityCounts(
            count=sum(count for count, _ in activities.values()),
            attendance=sum(attendance for _, attendance in activities.values()),
            by_kind=_zeros(
                [kind.value for kind in ActivityKind],
                {kind: count for kind, (count, _) in activities.items()},
            ),
        ),
        assessments=assessments,
        shares=_shares(levels, assessments, province),
    )


def _shares(
    levels: LevelCounts, assessments: AssessmentCounts, province: ProvinceTotals
) -> list[Share]:
    counts = {
        "national_filing": levels.national_filing,
        "provincial": levels.provincial,
        "municipal_or_above": levels.municipal_or_above,
        "excellent": assessments.by_grade[AssessmentGrade.EXCELLENT.value],
    }
    shares: list[Share] = []
    errors: list[FieldError] = []
    for measure, count in counts.items():
        total = getattr(province, measure)
        if total is None:
            continue
        if total < count:
            errors.append(
                _field(
                    f"query.province_{measure}",
                    f"is {total}, fewer than the {count} counted here; the province's total "
                    "includes these",
                )
            )
            continue
        percent = share_percent(count, total)
        zh, en = _MEASURES[measure]
        shares.append(
            Share(
                measure=measure,
                count=count,
                province_total=total,
                share_percent=percent,
                text_zh=f"{zh}{count}家，占全省的{percent}%",
                text_en=f"{count} {en}, {percent} % of the province's",
            )
        )
    if errors:
        _raise(errors)
    return shares


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "parameter is" if len(errors) == 1 else "parameters are"
    raise StatisticsInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
