"""Alembic environment of the subsidy service."""

# Import every models module so its tables are in the metadata Alembic compares.
import services.subsidy.models  # noqa: F401
from services.subsidy.config import get_settings
from services.subsidy.db import target_metadata
from shared.migrate import run_env

run_env("subsidy", target_metadata, get_settings().database_url)
