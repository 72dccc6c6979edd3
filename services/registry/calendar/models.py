"""calendar_years (one version of a year's official calendar) and calendar_days (its dates).

Both are append-only in the database: a correction of a year is a new version, and the
current calendar of a year is its latest version. A date is listed once per version, as a
holiday or as a make-up working day (调休), never both (the primary key).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum


class CalendarDayKind(StrEnum):
    HOLIDAY = "holiday"  # 法定节假日 (with the weekend days of the holiday period): off
    MAKE_UP_WORKING_DAY = "make_up_working_day"  # 调休上班: a Saturday or Sunday worked


class CalendarYear(Base):
    """Version ``version`` of ``year``'s calendar, from a State Council notice (append-only)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    # The notice's number (国办发明电〔2025〕7号) or, for a seeded year, its title.
    notice_no: Mapped[str] = mapped_column(sa.String(300))
    # "chinese-calendar x.y.z" for a seeded year, "bureau" for one the bureau loaded.
    source: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )


class CalendarDay(Base):
    """A holiday or a make-up working day of one version of a year (append-only)."""

    __tablename__ = "calendar_days"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[CalendarDayKind] = mapped_column(
        str_enum(CalendarDayKind, "calendar_day_kind", 30)
    )

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["year", "version"], ["calendar_years.year", "calendar_years.version"]
        ),
    )
