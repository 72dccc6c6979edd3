"""A space's facts as of a date: the registry assembles them, the eligibility service judges them.

Every fact may be absent (None): the eligibility service then reports exactly which facts it
is missing rather than guessing. Areas are in square metres with up to two decimals; money is
integer fen. Dates of legal meaning are plain dates in China time.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile

FACTS_SCHEMA_VERSION: Literal["1"] = "1"

Area = Annotated[Decimal, Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Fen = Annotated[int, Field(ge=0, le=10**15, description="money in fen (分)")]
E = TypeVar("E", bound=StrEnum)


def _sorted_values(values: frozenset[StrEnum]) -> list[str]:
    # Sets serialise in a fixed order, so the same facts always hash the same.
    return sorted(value.value for value in values)


EnumSet = Annotated[frozenset[E], PlainSerializer(_sorted_values, return_type=list[str])]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OperatorKind(StrEnum):
    ENTERPRISE = "enterprise"  # 企业
    PUBLIC_INSTITUTION = "public_institution"  # 事业单位
    UNIVERSITY = "university"  # 高等院校
    RESEARCH_INSTITUTE = "research_institute"  # 科研院所
    OTHER = "other"


class OperatorFacts(_Facts):
    """运营主体 (C1, S1)."""

    kind: OperatorKind | None = None
    registered_in_lanzhou: bool | None = Field(None, description="在兰州市范围内注册运营")
    independent_legal_person: bool | None = Field(None, description="具有独立法人资格")
    established_on: date | None = Field(None, description="申请主体成立日期")
    innovative_enterprise: bool | None = Field(None, description="创新型企业 (S1)")
    stable_revenue_evidence: bool | None = Field(
        None, description="稳定的经营收入: evidence submitted (a person judges it)"
    )


class Tenure(StrEnum):
    OWNED = "owned"
    LEASED = "leased"


class PremisesFacts(_Facts):
    """场地 (C2)."""

    total_area_m2: Area | None = None
    service_area_m2: Area | None = Field(None, description="服务场地面积")
    office_and_public_service_area_m2: Area | None = Field(
        None, description="办公与公共服务场地面积"
    )
    independent_workstations: Count | None = Field(None, description="独立工位")
    tenure: Tenure | None = None
    lease_start: date | None = Field(None, description="the lease's first day")
    lease_end: date | None = Field(
        None, description="the lease's last day (2024-04-01 to 2027-03-31 is 3 years)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        total = self.total_area_m2
        if total is not None:
            for name in ("service_area_m2", "office_and_public_service_area_m2"):
                part = getattr(self, name)
                if part is not None and part > total:
                    raise ValueError(f"{name} ({part}) exceeds total_area_m2 ({total})")
        if self.lease_start and self.lease_end and self.lease_end <= self.lease_start:
            raise ValueError("lease_end must be after lease_start")
        if self.tenure is Tenure.OWNED and (self.lease_start or self.lease_end):
            raise ValueError("owned premises have no lease dates")
        return self


class OnlinePlatformFacts(_Facts):
    """网络基础服务平台 (C2 for virtual spaces)."""

    operates_online_platform: bool | None = None
    connects_resources: bool | None = Field(None, description="对接创新创业资源")
    offers_incubation_services: bool | None = Field(None, description="提供完善的配套孵化服务")


class FacilitiesFacts(_Facts):
    """配套设施 (C4)."""

    power: bool | None = None
    water: bool | None = None
    fire_safety: bool | None = None
    telecoms: bool | None = None
    network: bool | None = None
    ready_to_move_in: bool | None = Field(None, description="即入即开")
    free_or_low_cost_space: bool | None = Field(None, description="免费或低成本的办公和交流场地")


class IncubationFacts(_Facts):
    """入孵企业和创业团队 (C3), counted on the facts' date."""

    teams_in_incubation: Count | None = None
    teams_in_supported_fields: Count | None = Field(
        None, description="of those, in supported high-tech fields or modern services"
    )

    @model_validator(mode="after")
    def _subset(self) -> Self:
        whole, part = self.teams_in_incubation, self.teams_in_supported_fields
        if whole is not None and part is not None and part > whole:
            raise ValueError("teams_in_supported_fields exceeds teams_in_incubation")
        return self


class StaffFacts(_Facts):
    """管理服务人员 (C5)."""

    management_staff: Count | None = None
    management_staff_qualified: Count | None = Field(
        None, description="with relevant professional knowledge and skills (claimed)"
    )

    @model_validator(mode="after")
    def _subset(self) -> Self:
        whole, part = self.management_staff, self.management_staff_qualified
        if whole is not None and part is not None and part > whole:
            raise ValueError("management_staff_qualified exceeds management_staff")
        return self


class ManagementRulesFacts(_Facts):
    """规章制度 (C6): which written rules exist."""

    admission_assessment: bool | None = Field(None, description="创业实体评估准入")
    financial_management: bool | None = Field(None, description="财务管理")
    daily_services: bool | None = Field(None, description="日常管理服务")
    exit_mechanism: bool | None = Field(None, description="退出机制")


class BasicService(StrEnum):
    SHARED_OFFICE = "shared_office"  # 开放共享式办公场地
    FLEXIBLE_WORKSTATIONS = "flexible_workstations"  # 流动工位
    BROADBAND = "broadband"  # 宽带网络
    PUBLIC_SOFTWARE = "public_software"  # 公共软件
    INTERNET_RESOURCES = "internet_resources"  # 互联网资源


class StartupService(StrEnum):
    REGISTRATION = "registration"  # 注册
    MENTORING = "mentoring"  # 创业辅导
    FINANCING = "financing"  # 融资


class CoordinatedService(StrEnum):
    RD_DESIGN = "rd_design"  # 研发设计
    TECH_INTERMEDIARY = "tech_intermediary"  # 科技中介
    FINANCIAL_SERVICES = "financial_services"  # 金融服务
    RESULTS_TRADING = "results_trading"  # 成果交易
    INTELLECTUAL_PROPERTY = "intellectual_property"  # 知识产权
    CERTIFICATION_TESTING = "certification_testing"  # 认证检测


class ServiceFacts(_Facts):
    """孵化服务体系 (C7)."""

    basic_services: EnumSet[BasicService] | None = None
    startup_services: EnumSet[StartupService] | None = None
    coordinated_services: EnumSet[CoordinatedService] | None = None
    online_and_offline: bool | None = Field(None, description="线上与线下相结合")
    training_activities_past_year: Count | None = Field(
        None, description="创业沙龙、大讲堂、训练营等 in the 12 months before the facts' date"
    )


class FinancingMode(StrEnum):
    LOANS = "loans"  # 借款
    ACQUISITION_OF_RESULTS = "acquisition_of_results"  # 收购初创成果
    ANGEL_INVESTMENT = "angel_investment"  # 天使投资


class FinancingFacts(_Facts):
    """融资渠道 (C8)."""

    seed_fund: bool | None = Field(None, description="自主设立或引进投融资机构设立种子基金")
    financing_modes: EnumSet[FinancingMode] | None = None
    invested_amount_fen: Fen | None = Field(None, description="实质投资 (substantive investment)")


class IncidentKind(StrEnum):
    SAFETY = "safety"  # 安全事故
    QUALITY = "quality"  # 质量事故
    ENVIRONMENTAL = "environmental"  # 环境违法
    RESEARCH_MISCONDUCT = "research_misconduct"  # 科研失信


class Severity(StrEnum):
    MAJOR = "major"  # 重大
    SERIOUS = "serious"  # 严重
    ORDINARY = "ordinary"  # 一般

    def at_least(self, other: Severity) -> bool:
        """Whether this is as grave as ``other`` or graver (一般 < 严重 < 重大)."""
        return _SEVERITY_RANK[self] >= _SEVERITY_RANK[other]


_SEVERITY_RANK = {Severity.ORDINARY: 0, Severity.SERIOUS: 1, Severity.MAJOR: 2}


class Incident(_Facts):
    kind: IncidentKind
    severity: Severity
    occurred_on: date


class ListKind(StrEnum):
    ABNORMAL_OPERATION = "abnormal_operation"  # 经营异常名录
    SERIOUS_VIOLATION = "serious_violation"  # 严重违法失信企业名单


class Listing(_Facts):
    list: ListKind
    listed_on: date
    removed_on: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.removed_on is not None and self.removed_on < self.listed_on:
            raise ValueError("removed_on is before listed_on")
        return self


class ComplianceFacts(_Facts):
    """记录 (C9): every incident and listing known, with dates; the rules pick the window."""

    incidents: tuple[Incident, ...] | None = None
    listings: tuple[Listing, ...] | None = None


class SpecialisationFacts(_Facts):
    """专业化众创空间 (S1-S3)."""

    strategic_emerging_industry_subfield: str | None = Field(
        None, max_length=200, description="战略性新兴产业细分领域"
    )
    rd_and_industrialisation_evidence: bool | None = Field(
        None, description="专业化研究开发和产业化条件: evidence submitted (a person judges it)"
    )


class SpaceFacts(_Facts):
    """A space's facts as of ``as_of``: the eligibility service's input."""

    schema_version: Literal["1"] = FACTS_SCHEMA_VERSION
    space_id: uuid.UUID | None = None
    as_of: date = Field(description="the date these facts describe (the application date)")
    form: SpaceForm
    profile: SpaceProfile | None = None
    jurisdiction_code: JurisdictionCode | None = None
    operating_since: date | None = Field(None, description="众创空间实际运营起始日")
    operator: OperatorFacts = OperatorFacts()
    premises: PremisesFacts = PremisesFacts()
    online_platform: OnlinePlatformFacts = OnlinePlatformFacts()
    facilities: FacilitiesFacts = FacilitiesFacts()
    incubation: IncubationFacts = IncubationFacts()
    staff: StaffFacts = StaffFacts()
    management_rules: ManagementRulesFacts = ManagementRulesFacts()
    services: ServiceFacts = ServiceFacts()
    financing: FinancingFacts = FinancingFacts()
    compliance: ComplianceFacts = ComplianceFacts()
    specialisation: SpecialisationFacts = SpecialisationFacts()

    @model_validator(mode="after")
    def _not_after_as_of(self) -> Self:
        for name, value in (
            ("operating_since", self.operating_since),
            ("operator.established_on", self.operator.established_on),
        ):
            if value is not None and value > self.as_of:
                raise ValueError(f"{name} ({value}) is after as_of ({self.as_of})")
        return self
