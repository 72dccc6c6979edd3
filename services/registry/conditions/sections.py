"""The conditions recorded as dated versions, one entry each: table, schemas and own checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from services.registry.conditions.models import (
    FacilitiesVersion,
    FinancingVersion,
    ManagementRulesVersion,
    OnlinePlatformVersion,
    PremisesVersion,
    ServicesVersion,
    SpecialisationVersion,
    VersionColumns,
)
from services.registry.conditions.schemas import (
    FacilitiesCreate,
    FacilitiesOut,
    FinancingCreate,
    FinancingOut,
    ManagementRulesCreate,
    ManagementRulesOut,
    OnlinePlatformCreate,
    OnlinePlatformOut,
    PremisesCreate,
    PremisesOut,
    ServicesCreate,
    ServicesOut,
    SpecialisationCreate,
    SpecialisationOut,
)
from shared.contracts.facts import Tenure
from shared.contracts.spaces import SpaceForm
from shared.errors import FieldError

_META = frozenset({"effective_on", "remarks"})


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=f"body.{field}", message=message, type="value_error")


def _premises_errors(data: BaseModel) -> list[FieldError]:
    assert isinstance(data, PremisesCreate)
    errors = [
        _field(name, f"{getattr(data, name)} m² exceeds total_area_m2 ({data.total_area_m2} m²)")
        for name in ("service_area_m2", "office_and_public_service_area_m2")
        if getattr(data, name) > data.total_area_m2
    ]
    if data.tenure is Tenure.OWNED:
        errors.extend(
            _field(name, "owned premises have no lease; omit it")
            for name in ("lease_start", "lease_end")
            if getattr(data, name) is not None
        )
    else:
        errors.extend(
            _field(name, "is required for leased premises")
            for name in ("lease_start", "lease_end")
            if getattr(data, name) is None
        )
        if data.lease_start and data.lease_end and data.lease_end <= data.lease_start:
            errors.append(_field("lease_end", "must be after lease_start"))
    return errors


def _no_errors(data: BaseModel) -> list[FieldError]:
    return []


@dataclass(frozen=True)
class Section:
    """One condition: its URL segment, its table, what it takes and shows, and its rules."""

    segment: str
    noun: str  # in messages and problem types
    tag: str
    model: type[VersionColumns]
    create: type[BaseModel]
    out: type[BaseModel]
    errors: Callable[[BaseModel], list[FieldError]] = _no_errors
    forms: frozenset[SpaceForm] | None = None  # None: every form

    def content(self, data: BaseModel) -> dict[str, Any]:
        """The column values of ``data``: lists of enum values stored sorted and unique."""
        values = {}
        for name, value in data:
            if name in _META:
                continue
            if isinstance(value, list):
                value = sorted(
                    {item.value if isinstance(item, StrEnum) else item for item in value}
                )
            values[name] = value
        return values


SECTIONS = (
    Section(
        "premises",
        "premises",
        "场地",
        PremisesVersion,
        PremisesCreate,
        PremisesOut,
        _premises_errors,
    ),
    Section(
        "online-platform",
        "online platform",
        "网络平台",
        OnlinePlatformVersion,
        OnlinePlatformCreate,
        OnlinePlatformOut,
    ),
    Section(
        "facilities",
        "facilities",
        "配套设施",
        FacilitiesVersion,
        FacilitiesCreate,
        FacilitiesOut,
    ),
    Section(
        "management-rules",
        "management rules",
        "规章制度",
        ManagementRulesVersion,
        ManagementRulesCreate,
        ManagementRulesOut,
    ),
    Section(
        "services",
        "services",
        "孵化服务",
        ServicesVersion,
        ServicesCreate,
        ServicesOut,
    ),
    Section(
        "financing",
        "financing",
        "融资渠道",
        FinancingVersion,
        FinancingCreate,
        FinancingOut,
    ),
    Section(
        "specialisation",
        "specialisation",
        "专业化",
        SpecialisationVersion,
        SpecialisationCreate,
        SpecialisationOut,
        forms=frozenset({SpaceForm.SPECIALISED}),
    ),
)
