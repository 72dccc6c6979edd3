"""The subsidy service's tables: its own metadata plus the platform's.

The platform's are the audit log and idempotency keys.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db import new_metadata
from shared.platform_schema import platform_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


# What Alembic compares the database with.
target_metadata = [Base.metadata, platform_metadata]
