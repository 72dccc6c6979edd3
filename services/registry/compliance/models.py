"""Incidents (append-only: never rewritten) and list entries (removal date set once)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.facts import IncidentKind, ListKind, Severity
from shared.db import UTCDateTime, str_enum

# The removal is recorded whole (date, when, by whom) or not at all.
REMOVAL_RECORDED = (
    "(removed_on IS NULL AND removed_recorded_at IS NULL AND removed_recorded_by IS NULL) OR "
    "(removed_on IS NOT NULL AND removed_recorded_at IS NOT NULL "
    "AND removed_recorded_by IS NOT NULL)"
)


class ComplianceIncident(Base):
    """安全、质量事故, 环境违法, 科研失信: one dated incident (append-only)."""

    __tablename__ = "compliance_incidents"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind, "incident_kind"))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, "incident_severity", 20))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.Index("ix_compliance_incidents_space_id_created_at_id", "space_id", "created_at", "id"),
    )


class ComplianceListing(Base):
    """An entry on 经营异常名录 or 严重违法失信企业名单, from listed_on until removed_on."""

    __tablename__ = "compliance_listings"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    list_kind: Mapped[ListKind] = mapped_column(str_enum(ListKind, "list_kind"))
    listed_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    removed_on: Mapped[date | None] = mapped_column(sa.Date)
    removed_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_recorded_by: Mapped[str | None] = mapped_column(sa.String(200))
    # Why the entry was removed and the registry document of the space supporting it, if given.
    removal_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    removal_document_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("documents.id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint(
            "removed_on IS NULL OR removed_on >= listed_on", name="removed_after_listed"
        ),
        sa.CheckConstraint(REMOVAL_RECORDED, name="removal_recorded"),
        sa.CheckConstraint(
            "removed_on IS NOT NULL OR (removal_reason IS NULL AND removal_document_id IS NULL)",
            name="removal_detail_with_removal",
        ),
        sa.Index("ix_compliance_listings_space_id_created_at_id", "space_id", "created_at", "id"),
    )
