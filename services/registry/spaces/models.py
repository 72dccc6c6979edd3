"""The spaces table (each space's current state), space_versions (every state it has had) and
space_jurisdiction_changes (the bureau's moves of a space to another jurisdiction).

A correction or a move writes the new current row and appends the full new state to
``space_versions`` in the same transaction; both history tables are append-only in the
database itself, so nothing recorded about a space is overwritten, only added to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.spaces import SpaceForm, SpaceProfile
from shared.db import UTCDateTime, str_enum


class Space(Base):
    __tablename__ = "spaces"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(200))
    jurisdiction_code: Mapped[str] = mapped_column(
        sa.String(10), sa.ForeignKey("jurisdictions.code")
    )
    form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    profile: Mapped[SpaceProfile] = mapped_column(str_enum(SpaceProfile, "space_profile"))
    opened_on: Mapped[date] = mapped_column(sa.Date)
    # 运营主体: nullable because spaces registered before operators existed have none yet.
    operator_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("operators.id"), index=True
    )
    # 地址: nullable because spaces registered before addresses were asked for have none.
    address: Mapped[str | None] = mapped_column(sa.String(500))
    # Starts at 1, one more with each correction or move; the ETag carries it. The server
    # default covers rows written outside the API (the scale seed).
    version: Mapped[int] = mapped_column(sa.Integer, server_default="1", default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint("jurisdiction_code", "name", name="uq_spaces_jurisdiction_name"),
        sa.Index("ix_spaces_created_at_id", "created_at", "id"),
        # A district's list in key order (and any lookup by jurisdiction).
        sa.Index(
            "ix_spaces_jurisdiction_code_created_at_id", "jurisdiction_code", "created_at", "id"
        ),
    )


class SpaceChangeKind(StrEnum):
    """What made a version of a space."""

    REGISTERED = "registered"  # 登记
    CORRECTION = "correction"  # 更正: PATCH by the district or the bureau
    JURISDICTION_CHANGE = "jurisdiction_change"  # 属地变更: the bureau's act


class SpaceVersion(Base):
    """One state of a space, from ``valid_from`` until the next version's (append-only)."""

    __tablename__ = "space_versions"

    space_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("spaces.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    kind: Mapped[SpaceChangeKind] = mapped_column(str_enum(SpaceChangeKind, "space_change_kind"))
    # The fields this version changed, comma-separated in API order ("" for the first).
    changed: Mapped[str] = mapped_column(sa.String(500))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    jurisdiction_code: Mapped[str] = mapped_column(sa.String(10))
    form: Mapped[SpaceForm] = mapped_column(str_enum(SpaceForm, "space_form", 20))
    profile: Mapped[SpaceProfile] = mapped_column(str_enum(SpaceProfile, "space_profile"))
    opened_on: Mapped[date] = mapped_column(sa.Date)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"),)


class SpaceJurisdictionChange(Base):
    """The bureau's act moving a space to another jurisdiction from a date (append-only).

    ``seq`` orders a space's moves; each takes effect on or after the one before it, so the
    jurisdiction in force on a day is ``to_code`` of the last move effective on or before it,
    or ``from_code`` of the first move before that.
    """

    __tablename__ = "space_jurisdiction_changes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    seq: Mapped[int] = mapped_column(sa.Integer)
    from_code: Mapped[str] = mapped_column(sa.String(10), sa.ForeignKey("jurisdictions.code"))
    to_code: Mapped[str] = mapped_column(sa.String(10), sa.ForeignKey("jurisdictions.code"))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    document_no: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.String(2000))
    operator_id_before: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    operator_id_after: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        # Two moves racing on one space cannot both become the next record.
        sa.UniqueConstraint("space_id", "seq", name="uq_space_jurisdiction_changes_space_id_seq"),
        sa.CheckConstraint("from_code <> to_code", name="moves_somewhere"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )
