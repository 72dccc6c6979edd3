"""The operators table (the current state) and operator_versions (every state it has had).

An operator's row holds its current facts; each change writes the new row and appends the
full new state to ``operator_versions`` in the same transaction. The versions table is
append-only in the database itself, so the history of a legal entity's record cannot be
rewritten, only added to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.facts import OperatorKind
from shared.db import UTCDateTime, str_enum

# An override needs its reason and who gave it; without one, neither may be set.
OVERRIDE_RECORDED = (
    "(uscc_override AND override_reason IS NOT NULL AND override_by IS NOT NULL) OR "
    "(NOT uscc_override AND override_reason IS NULL AND override_by IS NULL)"
)


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OperatorKind] = mapped_column(str_enum(OperatorKind, "operator_kind"))
    founded_on: Mapped[date] = mapped_column(sa.Date)
    registered_address: Mapped[str] = mapped_column(sa.String(500))
    registered_in_lanzhou: Mapped[bool] = mapped_column(sa.Boolean)
    jurisdiction_code: Mapped[str] = mapped_column(
        sa.String(10), sa.ForeignKey("jurisdictions.code"), index=True
    )
    uscc_override: Mapped[bool] = mapped_column(sa.Boolean)
    override_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    override_by: Mapped[str | None] = mapped_column(sa.String(200))
    # Facts conditions C1 and S1 ask about; None until someone records them.
    independent_legal_person: Mapped[bool | None] = mapped_column(sa.Boolean)
    innovative_enterprise: Mapped[bool | None] = mapped_column(sa.Boolean)
    stable_revenue_evidence: Mapped[bool | None] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("length(uscc) = 18", name="uscc_length"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(OVERRIDE_RECORDED, name="override_recorded"),
        sa.Index("ix_operators_created_at_id", "created_at", "id"),
    )


class OperatorVersion(Base):
    """One state of an operator, from ``valid_from`` until the next version's (append-only)."""

    __tablename__ = "operator_versions"

    operator_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("operators.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OperatorKind] = mapped_column(str_enum(OperatorKind, "operator_kind"))
    founded_on: Mapped[date] = mapped_column(sa.Date)
    registered_address: Mapped[str] = mapped_column(sa.String(500))
    registered_in_lanzhou: Mapped[bool] = mapped_column(sa.Boolean)
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10))
    uscc_override: Mapped[bool] = mapped_column(sa.Boolean)
    override_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    override_by: Mapped[str | None] = mapped_column(sa.String(200))
    # Facts conditions C1 and S1 ask about; None until someone records them.
    independent_legal_person: Mapped[bool | None] = mapped_column(sa.Boolean)
    innovative_enterprise: Mapped[bool | None] = mapped_column(sa.Boolean)
    stable_revenue_evidence: Mapped[bool | None] = mapped_column(sa.Boolean)

    __table_args__ = (
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(OVERRIDE_RECORDED, name="override_recorded"),
    )
