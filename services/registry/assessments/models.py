"""space_assessments: the bureau's annual assessment results (年度考核), append-only.

One result per space and year; a correction is the next ``revision`` of that year with its
reason, and the highest revision is the result in force. Nothing is changed in place.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.db import Base
from shared.contracts.assessment import AssessmentGrade
from shared.db import UTCDateTime, str_enum

# The first result of a year has no reason; every correction says why.
CORRECTION_EXPLAINED = (
    "(revision = 1 AND correction_reason IS NULL) OR "
    "(revision > 1 AND correction_reason IS NOT NULL)"
)


class SpaceAssessment(Base):
    __tablename__ = "space_assessments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    space_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("spaces.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    revision: Mapped[int] = mapped_column(sa.Integer)
    grade: Mapped[AssessmentGrade] = mapped_column(
        str_enum(AssessmentGrade, "assessment_grade", 10)
    )
    document_no: Mapped[str] = mapped_column(sa.String(200))
    assessed_on: Mapped[date] = mapped_column(sa.Date)
    correction_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    # The eligibility service's receipt when the grade was scored there with the year's scheme.
    score_receipt_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint(
            "space_id", "year", "revision", name="uq_space_assessments_space_id_year_revision"
        ),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
        sa.CheckConstraint("year >= 2015 AND year <= 2100", name="year_range"),
        sa.CheckConstraint(CORRECTION_EXPLAINED, name="correction_explained"),
    )
