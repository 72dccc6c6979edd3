"""The working-day calendar (工作日) and the periods counted on it; no HTTP here.

A day is a working day when it is a Monday to Friday that the year's calendar does not list as
a holiday, or a Saturday or Sunday it lists as a make-up working day (调休上班). Each year's
calendar comes from the State Council's notice (国务院办公厅关于部分节假日安排的通知); the
years a maintained library knows were seeded by migration 0011, and the bureau loads each new
year (and corrects a loaded one) as a new version: every version is kept, the latest is current.
No period is ever computed over a year that is not loaded: it is refused, naming the year.

The API other packages use (the applications and clocks of the recognition procedure):

``await working_period(session, start, count) -> WorkingPeriod``
    The ``count`` working days starting at ``start``: the first day counts if it is a working
    day, otherwise the period starts at the next working day. ``WorkingPeriod`` has ``start``
    (the first counted day), ``end`` (the last), ``days`` (every counted day) and ``versions``
    (year -> the calendar version used). The keyword ``not_counting`` takes spans of days that
    do not count (a clock's suspensions). Raises ``CalendarYearNotLoaded`` (a 422 whose
    ``year`` names the missing year) if a day it needs lies in a year not loaded.
``await is_working_day(session, day) -> bool`` (same refusal).
``CalendarYearNotLoaded``: the domain error above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.calendar import repository
from services.registry.calendar.models import CalendarDay, CalendarDayKind, CalendarYear
from services.registry.calendar.schemas import CalendarYearPut
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import FieldError, NotFound, RequestInvalid, UnprocessableRequest

# The plausible bounds of one year's notice. Since 2004 a year has had at most 33 days off
# (2026) and at most 12 make-up working days (2013); a list beyond these is a mistake.
MAX_HOLIDAYS = 40
MAX_MAKE_UP_DAYS = 12
# The longest period one request computes (about a year of working days).
MAX_COUNT = 250
FIRST_YEAR, LAST_YEAR = 2000, 2100
BUREAU_SOURCE = "bureau"
RULE = (
    "工作日 (working days) on China's official calendar: Monday to Friday unless the year's "
    "calendar lists the day as a holiday, plus the Saturdays and Sundays it lists as make-up "
    "working days (调休). The first day counts if it is a working day; otherwise the period "
    "starts at the next working day."
)


class CalendarYearNotLoaded(UnprocessableRequest):
    """A period needs a day of a year whose official calendar is not loaded (never a guess)."""

    slug = "calendar-year-not-loaded"
    title = "The calendar of a year the period needs is not loaded"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"The working-day calendar of {year} is not loaded, and a period that reaches "
            f"{year} is not computed without it; the bureau loads it with "
            f"PUT /v1/calendar/{year} once the State Council's notice is out",
            year=year,
        )
        self.year = year


class CalendarYearNotFound(NotFound):
    slug = "calendar-year-not-found"


class CalendarInvalid(RequestInvalid):
    slug = "calendar-invalid"


@dataclass(frozen=True)
class WorkingPeriod:
    start: date
    end: date
    days: tuple[date, ...]
    versions: dict[int, int]  # year -> calendar version used


@dataclass(frozen=True)
class YearCalendar:
    """One version of a year's calendar, as the rule reads it."""

    year: int
    version: int
    holidays: frozenset[date]
    make_up_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class VersionRecord:
    version: CalendarYear
    holidays: tuple[date, ...]
    make_up_days: tuple[date, ...]


@dataclass(frozen=True)
class YearRecord:
    year: int
    versions: tuple[VersionRecord, ...]  # the latest (current) first

    @property
    def current(self) -> VersionRecord:
        return self.versions[0]


@dataclass
class CalendarReader:
    """The current calendar of each year, loaded once per use (a period touches one or two)."""

    session: AsyncSession
    _years: dict[int, YearCalendar] = field(default_factory=dict)

    async def year(self, year: int) -> YearCalendar:
        found = self._years.get(year)
        if found is None:
            found = await _current_calendar(self.session, year)
            self._years[year] = found
        return found

    async def is_working_day(self, day: date) -> bool:
        return (await self.year(day.year)).is_working_day(day)


async def _current_calendar(session: AsyncSession, year: int) -> YearCalendar:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarYearNotLoaded(year)
    await repository.share_year(session, year)
    current = await repository.current_version(session, year)
    if current is None:
        raise CalendarYearNotLoaded(year)
    days = await repository.days_of(session, year, [current.version])
    return YearCalendar(
        year=year,
        version=current.version,
        holidays=frozenset(d.day for d in days if d.kind is CalendarDayKind.HOLIDAY),
        make_up_days=frozenset(
            d.day for d in days if d.kind is CalendarDayKind.MAKE_UP_WORKING_DAY
        ),
    )


async def is_working_day(session: AsyncSession, day: date) -> bool:
    return await CalendarReader(session).is_working_day(day)


async def working_period(
    session: AsyncSession,
    start: date,
    count: int,
    *,
    not_counting: Sequence[tuple[date, date]] = (),
) -> WorkingPeriod:
    """The ``count`` working days from ``start`` (see the module); ``not_counting`` holds
    inclusive spans (first, last) whose days do not count, e.g. a clock's suspensions."""
    if count < 1:
        raise ValueError("a period has at least one working day")
    reader = CalendarReader(session)
    versions: dict[int, int] = {}
    days: list[date] = []
    day = start
    while len(days) < count:
        calendar = await reader.year(day.year)
        versions[day.year] = calendar.version
        if calendar.is_working_day(day) and not any(a <= day <= b for a, b in not_counting):
            days.append(day)
        day += timedelta(days=1)
    return WorkingPeriod(start=days[0], end=days[-1], days=tuple(days), versions=versions)


async def get_year(session: AsyncSession, year: int) -> YearRecord:
    versions = await repository.versions_of(session, year)
    if not versions:
        raise CalendarYearNotFound(
            f"The calendar of {year} is not loaded; GET /v1/calendar lists the loaded years"
        )
    return await _record(session, year, versions)


async def list_years(session: AsyncSession) -> Sequence[tuple[CalendarYear, int]]:
    """Each loaded year's current version, with how many versions it has."""
    return await repository.current_versions(session)


async def record_year(
    session: AsyncSession, principal: Principal, year: int, data: CalendarYearPut
) -> tuple[YearRecord, bool]:
    """Load ``year`` or correct it with a new version; returns the year and whether anything
    changed (the same calendar sent again adds no version)."""
    _check(year, data)
    await repository.lock_year(session, year)
    holidays, make_up = sorted(set(data.holidays)), sorted(set(data.make_up_working_days))
    current = await repository.current_version(session, year)
    if current is not None:
        record = await get_year(session, year)
        same = (
            list(record.current.holidays) == holidays
            and list(record.current.make_up_days) == make_up
            and current.notice_no == data.notice_no
        )
        if same:
            return record, False
    version = CalendarYear(
        year=year,
        version=1 if current is None else current.version + 1,
        notice_no=data.notice_no,
        source=BUREAU_SOURCE,
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    await repository.add_version(
        session,
        version,
        [
            CalendarDay(year=year, version=version.version, day=d, kind=kind)
            for days, kind in (
                (holidays, CalendarDayKind.HOLIDAY),
                (make_up, CalendarDayKind.MAKE_UP_WORKING_DAY),
            )
            for d in days
        ],
    )
    return await get_year(session, year), True


def _check(year: int, data: CalendarYearPut) -> None:
    errors: list[FieldError] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(_field("path.year", f"must lie in {FIRST_YEAR}-{LAST_YEAR}"))
    for name, days, most in (
        ("holidays", data.holidays, MAX_HOLIDAYS),
        ("make_up_working_days", data.make_up_working_days, MAX_MAKE_UP_DAYS),
    ):
        if len(days) > most:
            errors.append(
                _field(
                    f"body.{name}",
                    f"lists {len(days)} dates; a year's notice has at most {most} (the most "
                    "since 2004 is 33 holidays and 12 make-up working days)",
                )
            )
        seen: set[date] = set()
        for i, day in enumerate(days):
            if day.year != year:
                errors.append(_field(f"body.{name}[{i}]", f"{day} is not in {year}"))
            if day in seen:
                errors.append(_field(f"body.{name}[{i}]", f"{day} is listed twice"))
            seen.add(day)
    both = sorted(set(data.holidays) & set(data.make_up_working_days))
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        errors.append(
            _field(
                "body.make_up_working_days",
                f"{listed} also listed as holidays; a day is a holiday or a make-up working "
                "day, not both",
            )
        )
    for i, day in enumerate(data.make_up_working_days):
        if day.weekday() < 5:
            errors.append(
                _field(
                    f"body.make_up_working_days[{i}]",
                    f"{day} is a {day.strftime('%A')}: a make-up working day (调休) is a "
                    "Saturday or Sunday declared a working day",
                )
            )
    if errors:
        _raise_all(errors)


async def _record(session: AsyncSession, year: int, versions: Sequence[CalendarYear]) -> YearRecord:
    days = await repository.days_of(session, year, [v.version for v in versions])
    return YearRecord(
        year=year,
        versions=tuple(
            VersionRecord(
                version=v,
                holidays=tuple(
                    d.day
                    for d in days
                    if d.version == v.version and d.kind is CalendarDayKind.HOLIDAY
                ),
                make_up_days=tuple(
                    d.day
                    for d in days
                    if d.version == v.version and d.kind is CalendarDayKind.MAKE_UP_WORKING_DAY
                ),
            )
            for v in versions
        ),
    )


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    noun = "field is" if len(errors) == 1 else "fields are"
    raise CalendarInvalid(
        f"{len(errors)} {noun} invalid; correct and resend: {listed}{more}", errors
    )
