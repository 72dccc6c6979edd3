"""Assessment receipts: append-only; the database refuses to change or delete one."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.assessments.schemas import AssessmentVerdict
from services.eligibility.db import Base
from shared.contracts.assessment import AssessmentGrade
from shared.db import UTCDateTime, str_enum


class AssessmentReceiptRow(Base):
    __tablename__ = "assessment_receipts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    requested_role: Mapped[str] = mapped_column(sa.String(40))
    space_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    jurisdiction_code: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    scheme_id: Mapped[str] = mapped_column(sa.String(64))
    scheme_hash: Mapped[str] = mapped_column(sa.String(64))
    engine_version: Mapped[str] = mapped_column(sa.String(20))
    input_hash: Mapped[str] = mapped_column(sa.String(64))
    verdict: Mapped[AssessmentVerdict] = mapped_column(
        str_enum(AssessmentVerdict, "assessment_verdict", 20)
    )
    grade: Mapped[AssessmentGrade | None] = mapped_column(
        str_enum(AssessmentGrade, "assessment_grade", 10), nullable=True
    )
    # Hundredths of a point (8750 = 87.50): exact on both databases, where SQLite's NUMERIC
    # would round-trip through a float.
    score_hundredths: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    facts: Mapped[str] = mapped_column(sa.Text, doc="the facts as given, canonical JSON")
    result: Mapped[str] = mapped_column(sa.Text, doc="the result, canonical JSON")

    __table_args__ = (
        sa.CheckConstraint(
            "score_hundredths IS NULL OR score_hundredths BETWEEN 0 AND 10000", name="score_range"
        ),
        # A grade and a score exactly when the assessment is graded, never one without the other.
        sa.CheckConstraint(
            "(verdict = 'graded' AND grade IS NOT NULL AND score_hundredths IS NOT NULL) OR "
            "(verdict = 'incomplete' AND grade IS NULL AND score_hundredths IS NULL)",
            name="graded_has_grade_and_score",
        ),
        sa.Index("ix_assessment_receipts_created", "created_at", "id"),
        sa.Index("ix_assessment_receipts_space", "space_id", "year", "created_at"),
        sa.Index("ix_assessment_receipts_year", "year", "jurisdiction_code", "created_at"),
    )
