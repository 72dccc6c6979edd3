"""Subsidy settings (env prefix ``SUBSIDY_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, default_sqlite_url


class SubsidySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSIDY_", extra="ignore", frozen=True)

    service_name: str = "subsidy"
    database_url: str = default_sqlite_url("subsidy")
    registry_url: str = "http://127.0.0.1:8001"
    # How soon a committed ledger entry joins the hash chain (the sealer's pause between passes).
    ledger_seal_interval_seconds: float = Field(default=0.5, gt=0, le=60)


@lru_cache
def get_settings() -> SubsidySettings:
    return SubsidySettings()
