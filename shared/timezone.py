"""China time, in which dates of legal meaning (application dates, publicity days) are reckoned."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from shared.errors import FieldError

# China Standard Time has been UTC+8 all year since 1991 (no daylight saving), so a fixed
# offset is exact for every date this system handles and needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def today_in_china(now: datetime | None = None) -> date:
    moment = now if now is not None else datetime.now(CHINA_TZ)
    return moment.astimezone(CHINA_TZ).date()


def future_date_errors(field: str, value: date) -> list[FieldError]:
    """The field error for a date that cannot have happened yet (China time), or none."""
    if value > today_in_china():
        return [
            FieldError(
                field=field, message="must not be in the future (China time)", type="value_error"
            )
        ]
    return []
