"""Each condition's version as the API takes it (content, effective date) and shows it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.facts import (
    Area,
    BasicService,
    CoordinatedService,
    Count,
    Fen,
    FinancingMode,
    StartupService,
    Tenure,
)
from shared.request_body import RequestBody

Remarks = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")
]

_HUNDREDTH = Decimal("0.01")


def _two_decimals(value: Decimal) -> Decimal:
    # abs: Area is never negative, but "-0" is, in form, and would answer "-0.00".
    return abs(value).quantize(_HUNDREDTH)


# An area in the one form every answer gives it, two decimals ("600.00"), however it was sent
# ("600", "6E+2", "600.0"): a write answers exactly what a read of it returns. Area allows at
# most two decimals, so this never rounds.
CanonicalArea = Annotated[Area, AfterValidator(_two_decimals)]


class _VersionCreate(RequestBody):
    effective_on: date = Field(
        description="The date this version holds from (China time), not in the future. To "
        "correct what held from a date, record a new version with that same date."
    )
    remarks: Remarks | None = Field(None, description="Anything the record should say besides")


class _VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    space_id: uuid.UUID
    version: int = Field(description="1, 2, ... per space; the ETag carries the latest")
    effective_on: date
    remarks: str | None
    recorded_at: datetime
    recorded_by: str


class _Premises(BaseModel):
    total_area_m2: CanonicalArea = Field(description="总面积 (m², two decimals)")
    service_area_m2: CanonicalArea = Field(description="服务场地面积: at most total_area_m2")
    office_and_public_service_area_m2: CanonicalArea = Field(
        description="办公与公共服务场地面积: at most total_area_m2"
    )
    independent_workstations: Count = Field(description="独立工位")
    tenure: Tenure = Field(description="owned 自有 | leased 租赁")
    lease_start: date | None = Field(
        None, description="Leased only: the lease's first day (as the contract writes it)"
    )
    lease_end: date | None = Field(
        None, description="Leased only: the lease's last day, after lease_start"
    )


class PremisesCreate(_VersionCreate, _Premises):
    """场地 (C2)."""


class PremisesOut(_VersionOut, _Premises):
    pass


class _OnlinePlatform(BaseModel):
    operates_online_platform: bool = Field(description="运营网络基础服务平台")
    platform_url: Url | None = Field(None, description="The platform's address, if any")
    connects_resources: bool = Field(description="对接创新创业资源")
    offers_incubation_services: bool = Field(description="提供完善的配套孵化服务")


class OnlinePlatformCreate(_VersionCreate, _OnlinePlatform):
    """网络基础服务平台 (C2 for virtual spaces)."""


class OnlinePlatformOut(_VersionOut, _OnlinePlatform):
    pass


class _Facilities(BaseModel):
    power: bool = Field(description="供电")
    water: bool = Field(description="供水")
    fire_safety: bool = Field(description="消防")
    telecoms: bool = Field(description="通讯")
    network: bool = Field(description="网络")
    ready_to_move_in: bool = Field(description="即入即开")
    free_or_low_cost_space: bool = Field(description="免费或低成本的办公和交流场地")


class FacilitiesCreate(_VersionCreate, _Facilities):
    """配套设施 (C4)."""


class FacilitiesOut(_VersionOut, _Facilities):
    pass


class _ManagementRules(BaseModel):
    admission_assessment: bool = Field(description="创业实体评估准入制度")
    financial_management: bool = Field(description="财务管理制度")
    daily_services: bool = Field(description="日常管理服务制度")
    exit_mechanism: bool = Field(description="退出机制")


class ManagementRulesCreate(_VersionCreate, _ManagementRules):
    """规章制度 (C6): which written rules exist."""


class ManagementRulesOut(_VersionOut, _ManagementRules):
    pass


class ServicesCreate(_VersionCreate):
    """孵化服务体系 (C7): the services offered (each list may be empty)."""

    basic_services: list[BasicService] = Field(
        description="基础服务: shared_office, flexible_workstations, broadband, public_software, "
        "internet_resources"
    )
    startup_services: list[StartupService] = Field(
        description="创业服务: registration, mentoring, financing"
    )
    coordinated_services: list[CoordinatedService] = Field(
        description="科技服务: rd_design, tech_intermediary, financial_services, results_trading, "
        "intellectual_property, certification_testing"
    )
    online_and_offline: bool = Field(description="线上与线下相结合")


class ServicesOut(_VersionOut):
    basic_services: list[BasicService]
    startup_services: list[StartupService]
    coordinated_services: list[CoordinatedService]
    online_and_offline: bool


class FinancingCreate(_VersionCreate):
    """融资渠道 (C8)."""

    seed_fund: bool = Field(description="自主设立或引进投融资机构设立种子基金")
    financing_modes: list[FinancingMode] = Field(
        description="loans 借款 | acquisition_of_results 收购初创成果 | angel_investment 天使投资"
    )
    invested_amount_fen: Fen = Field(description="实质投资 in fen (分), 0 if none")


class FinancingOut(_VersionOut):
    seed_fund: bool
    financing_modes: list[FinancingMode]
    invested_amount_fen: int


class _Specialisation(BaseModel):
    strategic_emerging_industry_subfield: Text200 = Field(
        description="战略性新兴产业细分领域, e.g. 新材料-稀土功能材料"
    )
    rd_and_industrialisation_evidence: bool = Field(
        description="专业化研究开发和产业化条件: evidence submitted (a person judges it)"
    )


class SpecialisationCreate(_VersionCreate, _Specialisation):
    """专业化 (S1-S3): specialised spaces only."""


class SpecialisationOut(_VersionOut, _Specialisation):
    pass
