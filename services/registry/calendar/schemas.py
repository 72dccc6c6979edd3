"""The working-day calendar as the API takes and shows it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from shared.request_body import IsoDate, RequestBody

NoticeNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class CalendarYearPut(RequestBody):
    """A year's official calendar from the State Council's notice (国务院办公厅通知)."""

    holidays: list[IsoDate] = Field(
        max_length=366,
        description="Every day off of the year's holiday periods (法定节假日), weekend days "
        "inside a period included: dates of this year, at most 40",
    )
    make_up_working_days: list[IsoDate] = Field(
        max_length=366,
        description="The Saturdays and Sundays declared working days (调休上班): dates of this "
        "year, at most 12, none also a holiday",
    )
    notice_no: NoticeNo = Field(
        description="The notice's document number, e.g. 国办发明电〔2025〕7号",
        examples=["国办发明电〔2025〕7号"],
    )


class CalendarVersionOut(BaseModel):
    year: int
    version: int = Field(description="1 for the year as first loaded; each correction adds one")
    notice_no: str = Field(description="The notice's number (a seeded year: its title)")
    source: str = Field(description="chinese-calendar x.y.z (seeded by migration) or bureau")
    recorded_at: datetime
    recorded_by: str
    holidays: list[date]
    make_up_working_days: list[date]


class CalendarYearOut(BaseModel):
    year: int
    current: CalendarVersionOut = Field(description="The latest version: the one in force")
    versions: list[CalendarVersionOut] = Field(description="Every version, the latest first")


class CalendarYearSummary(BaseModel):
    year: int
    version: int = Field(description="The current version")
    versions: int = Field(description="How many versions the year has")
    notice_no: str
    source: str
    recorded_at: datetime


class ClockRecomputationOut(BaseModel):
    clock_id: uuid.UUID
    subject_id: uuid.UUID
    step: str
    old_due_on: date | None = Field(description="null: it awaited this year's calendar")
    new_due_on: date | None = Field(description="null: it awaits a later year's calendar")
    old_calendar_versions: dict[int, int]
    new_calendar_versions: dict[int, int]


class CalendarCorrectionOut(CalendarYearOut):
    changed: bool = Field(
        description="false when the calendar sent equals the current version (nothing added)"
    )
    recomputed_clocks: list[ClockRecomputationOut] = Field(
        description="The running clocks and not yet ended publicity periods that used this year, "
        "recomputed on the new version in the same transaction"
    )


class CalendarVersionUsed(BaseModel):
    year: int
    version: int


class WorkingDaysOut(BaseModel):
    requested_start: date = Field(description="The start asked for")
    start: date = Field(
        description="The first day of the period: requested_start if it is a working day, "
        "otherwise the next working day"
    )
    end: date = Field(description="The last day of the period")
    count: int
    days: list[date] = Field(description="Every working day of the period, in order")
    calendar_versions: list[CalendarVersionUsed]
    rule: str
