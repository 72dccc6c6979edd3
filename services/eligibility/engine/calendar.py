"""Calendar-exact legal durations.

Periods reckoned in years or months end on the corresponding day of the final month (民法典
第二百零一条、第二百零二条): twelve months from 2025-02-28 are complete on 2026-02-28, and
from 2024-02-29 on 2025-02-28 (a month without the day ends on its last day).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_years(start: date, years: int) -> date:
    return start + relativedelta(years=years)


def add_months(start: date, months: int) -> date:
    return start + relativedelta(months=months)


def first_day_of_year(day: date, years_back: int = 0) -> date:
    return date(day.year - years_back, 1, 1)
