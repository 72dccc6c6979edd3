"""Registry settings (env prefix ``REGISTRY_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, default_sqlite_url


class RegistrySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    database_url: str = default_sqlite_url("registry")


@lru_cache
def get_settings() -> RegistrySettings:
    return RegistrySettings()
