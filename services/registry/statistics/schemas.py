"""Statistics as the API shows them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.contracts.jurisdictions import JurisdictionCode


class SpaceCounts(BaseModel):
    total: int = Field(description="Spaces open on as_of (opened_on on or before it)")
    by_status: dict[str, int] = Field(description="By the status in force at the end of as_of")
    by_form: dict[str, int]
    by_profile: dict[str, int]
    by_jurisdiction: dict[str, int]


class LevelCounts(BaseModel):
    """Spaces holding each level at the end of as_of; a space may hold several."""

    municipal: int = Field(description="市级")
    provincial: int = Field(description="省级")
    national_filing: int = Field(description="国家备案")
    municipal_or_above: int = Field(description="市级以上: spaces holding at least one level")
    municipal_or_above_by_jurisdiction: dict[str, int]


class TeamCounts(BaseModel):
    in_incubation: int = Field(description="在孵: joined on or before as_of, not left by then")
    graduated: int = Field(description="毕业: graduated on or before as_of (all years)")
    graduated_in_year: int = Field(description="毕业 during `year`, up to as_of")


class ActivityCounts(BaseModel):
    count: int = Field(description="Activities held during `year`, up to as_of")
    attendance: int = Field(description="人次: their attendance")
    by_kind: dict[str, int]


class AssessmentCounts(BaseModel):
    """The `year`'s annual assessment results in force at the end of as_of."""

    assessed: int
    by_grade: dict[str, int]


class Share(BaseModel):
    """A count here against the province's total given as a parameter."""

    measure: str = Field(examples=["national_filing"])
    count: int
    province_total: int
    share_percent: Decimal = Field(description="count / province_total, percent, one decimal")
    text_zh: str = Field(examples=["国家备案23家，占全省的76.7%"])
    text_en: str = Field(examples=["23 national filings, 76.7 % of the province's"])


class Statistics(BaseModel):
    as_of: date
    year: int = Field(description="The calendar year of the yearly figures")
    jurisdiction_code: JurisdictionCode | None = Field(
        description="The jurisdiction these figures are confined to; null for the whole city"
    )
    spaces: SpaceCounts
    levels: LevelCounts
    teams: TeamCounts
    activities: ActivityCounts
    assessments: AssessmentCounts
    shares: list[Share] = Field(description="One per province total given")
