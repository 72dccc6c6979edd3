"""Every table of the registry, imported in one place for Alembic and the tests."""

from services.registry.jurisdictions.models import Jurisdiction
from services.registry.spaces.models import Space

__all__ = ["Jurisdiction", "Space"]
