"""Alembic environment of the eligibility service."""

# Import every models module so its tables are in the metadata Alembic compares.
import services.eligibility.models  # noqa: F401
from services.eligibility.config import get_settings
from services.eligibility.db import target_metadata
from shared.migrate import run_env

run_env("eligibility", target_metadata, get_settings().database_url)
