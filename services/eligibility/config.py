"""Eligibility settings (env prefix ``ELIGIBILITY_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, default_sqlite_url


class EligibilitySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ELIGIBILITY_", extra="ignore", frozen=True)

    service_name: str = "eligibility"
    database_url: str = default_sqlite_url("eligibility")
    registry_url: str = "http://127.0.0.1:8001"


@lru_cache
def get_settings() -> EligibilitySettings:
    return EligibilitySettings()
