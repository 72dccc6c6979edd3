"""Every table of the eligibility service, imported in one place for Alembic and the tests."""

from services.eligibility.assessments.models import AssessmentReceiptRow
from services.eligibility.evaluations.models import DecisionReceipt

__all__ = ["AssessmentReceiptRow", "DecisionReceipt"]
