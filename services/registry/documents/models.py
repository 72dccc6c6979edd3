"""Documents and their content. Both append-only: a corrected document is a new one that
supersedes the old, and content, once stored, is whatever hashes to the declared SHA-256."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.db import UTCDateTime, str_enum


class DocumentKind(StrEnum):
    LEASE_CONTRACT = "lease_contract"  # 租赁合同
    PROPERTY_CERTIFICATE = "property_certificate"  # 产权证明
    BUSINESS_LICENCE = "business_licence"  # 营业执照 / 法人登记证书
    MANAGEMENT_RULES = "management_rules"  # 管理制度
    SERVICE_AGREEMENT = "service_agreement"  # 服务协议
    FINANCIAL_STATEMENT = "financial_statement"  # 财务报表 / 审计报告
    INVESTMENT_PROOF = "investment_proof"  # 投资 / 种子资金证明
    ACTIVITY_RECORD = "activity_record"  # 活动记录
    STAFF_QUALIFICATION = "staff_qualification"  # 人员资质
    PHOTOGRAPH = "photograph"  # 现场照片
    OTHER = "other"


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind", 30))
    title: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    document_no: Mapped[str | None] = mapped_column(sa.String(200))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    supports: Mapped[str] = mapped_column(sa.Text, doc="the facts it supports, JSON list")
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(255))
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("documents.id"), unique=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_to >= valid_from",
            name="validity_ordered",
        ),
        sa.Index("ix_documents_space_recorded", "space_id", "recorded_at", "id"),
    )


class DocumentContent(Base):
    """The file itself, stored once per SHA-256 (two documents may be the same file)."""

    __tablename__ = "document_contents"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stored_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),)
