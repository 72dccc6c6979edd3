"""Alembic environment of the registry service."""

# Import every models module so its tables are in the metadata Alembic compares.
import services.registry.models  # noqa: F401
from services.registry.config import get_settings
from services.registry.db import target_metadata
from shared.migrate import run_env

run_env("registry", target_metadata, get_settings().database_url)
