"""The jurisdictions table (seeded by the first migration; codes never change)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[str] = mapped_column(sa.String(20))

    __table_args__ = (
        sa.CheckConstraint("kind IN ('district', 'county', 'functional_zone')", name="kind"),
    )
