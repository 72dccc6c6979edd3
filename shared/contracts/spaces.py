"""A maker space's kind and summary, as every service that reads a space understands them."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from shared.contracts.jurisdictions import JurisdictionCode


class SpaceForm(StrEnum):
    """形态: the form of a space, which decides which premises thresholds apply."""

    COMPREHENSIVE = "comprehensive"  # 综合性
    SPECIALISED = "specialised"  # 专业化
    VIRTUAL = "virtual"  # 虚拟 (基于网络)


class SpaceProfile(StrEnum):
    """特色类型: the six profiles the Measures' article names."""

    E_COMMERCE = "e_commerce"  # 电商产业型
    CULTURE = "culture"  # 文化产业型
    MODERN_AGRICULTURE = "modern_agriculture"  # 现代农业产业型
    INTERNET_PLUS = "internet_plus"  # "互联网+"创业型
    TECH_STARTUP = "tech_startup"  # 科技创业型
    COMPREHENSIVE_SERVICES = "comprehensive_services"  # 综合服务型


class SpaceSummary(BaseModel):
    """A space as the registry publishes it to the other services (its `SpaceOut` extends this)."""

    id: uuid.UUID
    name: str
    jurisdiction_code: JurisdictionCode = Field(description="属地: the managing jurisdiction")
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date = Field(description="The date the space began operating")


class SpaceStatus(StrEnum):
    """A space's standing in the recognition procedure."""

    APPLICANT = "applicant"  # 申报中: applied, not (yet) recognised
    RECOGNISED = "recognised"  # 已认定: a municipal maker space (市级众创空间)
    UNDER_RECTIFICATION = "under_rectification"  # 限期整改: failed a year, still recognised
    REVOKED = "revoked"  # 取消认定


class SpaceLevel(StrEnum):
    """级别: a space may hold several at once; '市级以上' is any of them."""

    MUNICIPAL = "municipal"  # 市级: made by this system's recognition
    PROVINCIAL = "provincial"  # 省级: recorded from the province's document
    NATIONAL_FILING = "national_filing"  # 国家备案: recorded from the ministry's document


class SpaceStanding(BaseModel):
    """Who a space is and where it stands on a date: what the subsidy service asks before paying.

    ``GET /v1/spaces/{id}/standing?as_of=YYYY-MM-DD`` on the registry. ``status`` and
    ``levels`` are those in force at the end of ``as_of`` (China time).
    """

    space_id: uuid.UUID
    name: str
    jurisdiction_code: JurisdictionCode
    form: SpaceForm
    profile: SpaceProfile
    operator_id: uuid.UUID | None = Field(description="运营主体; None if not yet recorded")
    as_of: date
    opened: bool = Field(
        True,
        description="false when as_of is before the space opened: it did not exist as a space "
        "then, so it held no level and was not recognised (status applicant, status_since "
        "its opening day)",
    )
    status: SpaceStatus
    status_since: date = Field(description="The date the status in force began")
    levels: list[SpaceLevel] = Field(description="The levels held on as_of, sorted")
