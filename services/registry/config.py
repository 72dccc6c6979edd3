"""Registry settings (env prefix ``REGISTRY_``)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, default_sqlite_url

_SUBSCRIBER_NAME = re.compile(r"^[a-z0-9_-]{1,100}$")


class RegistrySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    database_url: str = default_sqlite_url("registry")
    procedure_in_force_from: date = Field(
        default=date(2026, 12, 1),
        description="The day the recognition procedure (/v1/applications) came into force: a "
        "recognition taking effect from then on is made only through it; the direct "
        "POST /v1/spaces/{id}/recognition records the earlier ones",
    )
    eligibility_url: str = Field(
        default="http://127.0.0.1:8002",
        description="The eligibility service, which judges an application's facts on submission",
    )

    rectification_default_months: int = Field(
        default=12,
        ge=1,
        le=36,
        description="整改期限 when a 不合格 annual result gives none: this many calendar months "
        "from the day rectification takes effect (REGISTRY_RECTIFICATION_DEFAULT_MONTHS)",
    )

    event_subscribers: dict[str, str] = Field(
        default_factory=dict,
        description="Who receives the registry's events, name to base URL, as JSON: "
        '{"subsidy": "http://127.0.0.1:8003"}; each gets POST {base}/v1/events/registry',
    )
    event_poll_seconds: float = Field(default=1.0, gt=0, le=3600)
    event_retry_seconds: float = Field(
        default=2.0, gt=0, description="The wait after a subscriber's first failure; it doubles"
    )
    event_retry_max_seconds: float = Field(default=300.0, gt=0)
    event_batch_size: int = Field(default=100, ge=1, le=1000)

    @field_validator("event_subscribers")
    @classmethod
    def _subscribers_are_named_urls(cls, value: dict[str, str]) -> dict[str, str]:
        for name, url in value.items():
            if not _SUBSCRIBER_NAME.match(name):
                raise ValueError(f"subscriber name {name!r}: use 1-100 of a-z, 0-9, _ and -")
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"subscriber {name!r}: {url!r} is not an http(s) base URL")
        return {name: url.rstrip("/") for name, url in value.items()}


@lru_cache
def get_settings() -> RegistrySettings:
    return RegistrySettings()
