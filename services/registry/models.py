"""Every table of the registry, imported in one place for Alembic and the tests."""

from services.registry.jurisdictions.models import Jurisdiction
from services.registry.operators.models import Operator, OperatorVersion
from services.registry.spaces.models import Space

__all__ = ["Jurisdiction", "Operator", "OperatorVersion", "Space"]
