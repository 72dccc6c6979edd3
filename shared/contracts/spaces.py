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
