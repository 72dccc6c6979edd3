"""Who is calling, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CITY_ADMIN = "city_admin"  # 市科技局: the bureau
    DISTRICT_OFFICER = "district_officer"  # 县区/园区双创部门: one jurisdiction's officers
    EXPERT = "expert"  # 专家: on-site inspection and joint review
    FINANCE_OFFICER = "finance_officer"  # 财务: budgets, awards, disbursement, recovery
    AUDITOR = "auditor"  # 联席会议成员单位: read-only supervision
    SERVICE = "service"  # another service of this system


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    jurisdiction: str | None = None
    name: str | None = None

    @property
    def jurisdiction_scope(self) -> str | None:
        """The one jurisdiction this caller is confined to, or None for system-wide roles."""
        return self.jurisdiction if self.role is Role.DISTRICT_OFFICER else None

    def sees_jurisdiction(self, code: str) -> bool:
        scope = self.jurisdiction_scope
        return scope is None or scope == code
