"""HTTP for the working-day calendar: the loaded years, their versions, and periods on them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers
from services.registry.calendar import service
from services.registry.calendar.schemas import (
    CalendarCorrectionOut,
    CalendarVersionOut,
    CalendarVersionUsed,
    CalendarYearOut,
    CalendarYearPut,
    CalendarYearSummary,
    ClockRecomputationOut,
    WorkingDaysOut,
)
from services.registry.calendar.service import VersionRecord, YearRecord
from services.registry.clocks import flows
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.request_body import IsoDate
from shared.timezone import today_in_china
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/calendar",
    tags=["calendar · 工作日"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)

Year = Annotated[int, Path(ge=service.FIRST_YEAR, le=service.LAST_YEAR, description="e.g. 2027")]


def _version_out(record: VersionRecord) -> CalendarVersionOut:
    v = record.version
    return CalendarVersionOut(
        year=v.year,
        version=v.version,
        notice_no=v.notice_no,
        source=v.source,
        recorded_at=v.recorded_at,
        recorded_by=v.recorded_by,
        holidays=list(record.holidays),
        make_up_working_days=list(record.make_up_days),
    )


def _year_out(record: YearRecord) -> CalendarYearOut:
    versions = [_version_out(v) for v in record.versions]
    return CalendarYearOut(year=record.year, current=versions[0], versions=versions)


@router.get(
    "",
    response_model=list[CalendarYearSummary],
    summary="The loaded years · 已载入的年度工作日历",
    description="Each year whose official calendar is loaded, with its current version.",
)
async def list_years(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> list[CalendarYearSummary]:
    return [
        CalendarYearSummary(
            year=year.year,
            version=year.version,
            versions=count,
            notice_no=year.notice_no,
            source=year.source,
            recorded_at=year.recorded_at,
        )
        for year, count in await service.list_years(session)
    ]


# Before /{year}: "working-days" is not a year.
@router.get(
    "/working-days",
    response_model=WorkingDaysOut,
    summary="A period of working days · 工作日期间",
    description=service.RULE + " Refused (422 `calendar-year-not-loaded`, naming the year) if "
    "any day the period needs lies in a year whose calendar is not loaded.",
)
async def working_days(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    count: Annotated[
        int, Query(ge=1, le=service.MAX_COUNT, description="How many working days, 1-250")
    ],
    start: Annotated[
        IsoDate | None,
        Query(description="The first day asked for (YYYY-MM-DD); today in China if omitted"),
    ] = None,
) -> WorkingDaysOut:
    requested: date = start or today_in_china()
    period = await service.working_period(session, requested, count)
    return WorkingDaysOut(
        requested_start=requested,
        start=period.start,
        end=period.end,
        count=count,
        days=list(period.days),
        calendar_versions=[
            CalendarVersionUsed(year=y, version=v) for y, v in sorted(period.versions.items())
        ],
        rule=service.RULE,
    )


@router.get(
    "/{year}",
    response_model=CalendarYearOut,
    summary="A year's calendar and every version of it · 年度工作日历",
    responses=problem_responses(404),
)
async def get_year(
    year: Year,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> CalendarYearOut:
    return _year_out(await service.get_year(session, year))


@router.put(
    "/{year}",
    response_model=CalendarCorrectionOut,
    summary="Load or correct a year's calendar · 载入/更正年度工作日历 (a new version)",
    description="The bureau (city_admin) only, from the State Council's notice: the holidays "
    f"(at most {service.MAX_HOLIDAYS}), the make-up working days (Saturdays or Sundays, at "
    f"most {service.MAX_MAKE_UP_DAYS}) and the notice number; every date in the year, none "
    "both. A loaded year is corrected by a new version (every version is kept); in the same "
    "transaction every running clock and every publicity period not yet ended that used the "
    "year is recomputed, each recorded in the clock's history and in this request's audit "
    "record. A period that has ended is never changed. The calendar sent again unchanged adds "
    "nothing (`changed`: false).",
)
async def put_year(
    year: Year,
    body: CalendarYearPut,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> CalendarCorrectionOut:
    result = await flows.record_calendar_year(session, principal, year, body)
    recomputed = [
        ClockRecomputationOut(
            clock_id=r.clock_id,
            subject_id=r.subject_id,
            step=r.step.value,
            old_due_on=r.old_due_on,
            new_due_on=r.new_due_on,
            old_calendar_versions=r.old_calendar_versions,
            new_calendar_versions=r.new_calendar_versions,
        )
        for r in result.recomputed
    ]
    audit.about(
        "calendar_year",
        year,
        version=result.record.current.version.version,
        changed=result.changed,
        recomputed_clocks=[r.model_dump(mode="json") for r in recomputed],
    )
    return CalendarCorrectionOut(
        **_year_out(result.record).model_dump(),
        changed=result.changed,
        recomputed_clocks=recomputed,
    )
