"""A space's facts for one year of the annual assessment (年度考核), and the grades it can get.

Every indicator may be absent (None): the eligibility service then reports exactly which are
missing rather than guessing. Counts are whole numbers for the calendar year; money is integer
fen. Incidents and listings are every one known, with dates: the scheme picks those of the year.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.facts import Count, Fen, Incident, Listing
from shared.contracts.jurisdictions import JurisdictionCode

ASSESSMENT_FACTS_SCHEMA_VERSION: Literal["1"] = "1"


class AssessmentGrade(StrEnum):
    """考核等次, best first: the order is part of the contract (a grade is 'at most' another)."""

    EXCELLENT = "优秀"  # excellent
    GOOD = "良好"  # good
    QUALIFIED = "合格"  # pass
    UNQUALIFIED = "不合格"  # fail: rectification within a deadline; two years running, revocation


class AssessmentFacts(BaseModel):
    """What a space did in ``year``: the input of an annual assessment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal["1"] = ASSESSMENT_FACTS_SCHEMA_VERSION
    space_id: uuid.UUID | None = None
    jurisdiction_code: JurisdictionCode | None = None
    year: int = Field(ge=2015, le=2100, description="考核年度: the calendar year assessed")
    training_sessions: Count | None = Field(
        None, description="培训次数: training activities held in the year (salons, lectures, camps)"
    )
    training_attendance: Count | None = Field(
        None, description="培训人次: attendances at those activities (one person twice counts 2)"
    )
    mentoring_sessions: Count | None = Field(
        None, description="辅导次数: start-up mentoring sessions held in the year"
    )
    teams_in_incubation: Count | None = Field(
        None, description="年末在孵企业和团队数: enterprises and teams in incubation on 31 December"
    )
    new_teams_admitted: Count | None = Field(
        None, description="新入孵企业和团队数: enterprises and teams admitted during the year"
    )
    graduated_teams_registered_enterprises: Count | None = Field(
        None, description="毕业团队注册企业数: graduated teams that registered an enterprise"
    )
    financing_obtained_fen: Fen | None = Field(
        None, description="在孵企业和团队获得融资额: financing obtained in the year, in fen (分)"
    )
    incidents: tuple[Incident, ...] | None = Field(
        None, description="every known incident with its date; None when not known"
    )
    listings: tuple[Listing, ...] | None = Field(
        None, description="every known list entry with its dates; None when not known"
    )
