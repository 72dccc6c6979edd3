"""A fiscal year's budget exists from its first appropriation; its amounts live in the ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.subsidy.db import Base
from shared.db import UTCDateTime


class Budget(Base):
    __tablename__ = "budgets"

    fiscal_year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (sa.CheckConstraint("fiscal_year BETWEEN 2015 AND 2100", name="year_range"),)
