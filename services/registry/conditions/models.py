"""One append-only table of dated versions per condition a space is recognised on.

Each change is a new version (1, 2, ... per space and table) effective from a date; nothing is
updated or deleted (the database refuses it). The version in force at the end of a day is the
one with the latest ``effective_on`` on or before it, and of those the highest ``version``: a
correction of what held from a date is a new version with that same date.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from services.registry.db import Base
from shared.contracts.facts import Tenure
from shared.db import UTCDateTime, str_enum


class SquareMetres(TypeDecorator[Decimal]):
    """An area in m² with two decimals, stored exactly as whole hundredths of a m² (BIGINT)."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        hundredths = Decimal(value) * 100
        if hundredths != hundredths.to_integral_value():
            raise ValueError(f"{value} m² has more than two decimals")
        return int(hundredths)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class VersionColumns:
    """What every version records besides its content."""

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(sa.Integer)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    remarks: Mapped[str | None] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    @declared_attr
    @classmethod
    def space_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))

    @classmethod
    def version_args(cls, table: str) -> tuple[Any, ...]:
        return (
            sa.UniqueConstraint("space_id", "version", name=f"uq_{table}_space_id_version"),
            sa.CheckConstraint("version >= 1", name="version_positive"),
            sa.Index(f"ix_{table}_space_id_effective_on", "space_id", "effective_on"),
        )


# Owned premises have no lease; leased premises have both dates, the end after the start.
LEASE_RECORDED = (
    "(tenure = 'owned' AND lease_start IS NULL AND lease_end IS NULL) OR "
    "(tenure = 'leased' AND lease_start IS NOT NULL AND lease_end IS NOT NULL "
    "AND lease_end > lease_start)"
)


class PremisesVersion(VersionColumns, Base):
    """场地 (C2)."""

    __tablename__ = "space_premises_versions"

    total_area_m2: Mapped[Decimal] = mapped_column(SquareMetres())
    service_area_m2: Mapped[Decimal] = mapped_column(SquareMetres())
    office_and_public_service_area_m2: Mapped[Decimal] = mapped_column(SquareMetres())
    independent_workstations: Mapped[int] = mapped_column(sa.Integer)
    tenure: Mapped[Tenure] = mapped_column(str_enum(Tenure, "tenure", 10))
    lease_start: Mapped[date | None] = mapped_column(sa.Date)
    lease_end: Mapped[date | None] = mapped_column(sa.Date)

    __table_args__ = (
        *VersionColumns.version_args("space_premises_versions"),
        sa.CheckConstraint(
            "total_area_m2 >= 0 AND service_area_m2 >= 0 "
            "AND office_and_public_service_area_m2 >= 0",
            name="areas_nonnegative",
        ),
        sa.CheckConstraint(
            "service_area_m2 <= total_area_m2 "
            "AND office_and_public_service_area_m2 <= total_area_m2",
            name="parts_within_total",
        ),
        sa.CheckConstraint("independent_workstations >= 0", name="workstations_nonnegative"),
        sa.CheckConstraint(LEASE_RECORDED, name="lease_recorded"),
    )


class OnlinePlatformVersion(VersionColumns, Base):
    """网络基础服务平台 (C2 for virtual spaces)."""

    __tablename__ = "space_online_platform_versions"

    operates_online_platform: Mapped[bool] = mapped_column(sa.Boolean)
    platform_url: Mapped[str | None] = mapped_column(sa.String(500))
    connects_resources: Mapped[bool] = mapped_column(sa.Boolean)
    offers_incubation_services: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = VersionColumns.version_args("space_online_platform_versions")


class FacilitiesVersion(VersionColumns, Base):
    """配套设施 (C4)."""

    __tablename__ = "space_facilities_versions"

    power: Mapped[bool] = mapped_column(sa.Boolean)
    water: Mapped[bool] = mapped_column(sa.Boolean)
    fire_safety: Mapped[bool] = mapped_column(sa.Boolean)
    telecoms: Mapped[bool] = mapped_column(sa.Boolean)
    network: Mapped[bool] = mapped_column(sa.Boolean)
    ready_to_move_in: Mapped[bool] = mapped_column(sa.Boolean)
    free_or_low_cost_space: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = VersionColumns.version_args("space_facilities_versions")


class ManagementRulesVersion(VersionColumns, Base):
    """规章制度 (C6): which written rules exist."""

    __tablename__ = "space_management_rules_versions"

    admission_assessment: Mapped[bool] = mapped_column(sa.Boolean)
    financial_management: Mapped[bool] = mapped_column(sa.Boolean)
    daily_services: Mapped[bool] = mapped_column(sa.Boolean)
    exit_mechanism: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = VersionColumns.version_args("space_management_rules_versions")


class ServicesVersion(VersionColumns, Base):
    """孵化服务体系 (C7): the services offered, as sorted lists of the contract's values."""

    __tablename__ = "space_services_versions"

    basic_services: Mapped[list[str]] = mapped_column(sa.JSON)
    startup_services: Mapped[list[str]] = mapped_column(sa.JSON)
    coordinated_services: Mapped[list[str]] = mapped_column(sa.JSON)
    online_and_offline: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = VersionColumns.version_args("space_services_versions")


class FinancingVersion(VersionColumns, Base):
    """融资渠道 (C8)."""

    __tablename__ = "space_financing_versions"

    seed_fund: Mapped[bool] = mapped_column(sa.Boolean)
    financing_modes: Mapped[list[str]] = mapped_column(sa.JSON)
    invested_amount_fen: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        *VersionColumns.version_args("space_financing_versions"),
        sa.CheckConstraint("invested_amount_fen >= 0", name="invested_nonnegative"),
    )


class SpecialisationVersion(VersionColumns, Base):
    """专业化 (S1-S3), for specialised spaces."""

    __tablename__ = "space_specialisation_versions"

    strategic_emerging_industry_subfield: Mapped[str] = mapped_column(sa.String(200))
    rd_and_industrialisation_evidence: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = VersionColumns.version_args("space_specialisation_versions")
