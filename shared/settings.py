"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

# Well known on purpose: a token minted with it is accepted only where env == dev.
DEV_JWT_SECRET = "dev-only-insecure-secret-change-me-0123456789"  # noqa: S105


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class JwtAlgorithm(StrEnum):
    HS256 = "HS256"
    RS256 = "RS256"


class BaseServiceSettings(BaseSettings):
    """What every service is configured with. Subclasses set ``env_prefix``."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    env: Environment = Environment.DEV
    database_url: str
    database_echo: bool = False
    # A pooled PostgreSQL connection idle longer than this is pinged before use (0: always).
    database_ping_after_idle_seconds: float = Field(default=10.0, ge=0)
    # PostgreSQL connections the service keeps open, and how many more a burst may open (an
    # overflow connection is closed on return: size the pool for the usual concurrency).
    database_pool_size: int = Field(default=20, ge=1, le=500)
    database_max_overflow: int = Field(default=10, ge=0, le=500)

    jwt_algorithm: JwtAlgorithm = JwtAlgorithm.HS256
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_public_key: str | None = Field(default=None, description="PEM public key for RS256")
    jwt_jwks_url: str | None = Field(default=None, description="JWKS endpoint for RS256")
    jwt_issuer: str = "lzms"
    jwt_audience: str = "lzms"
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)

    # The token this service presents to the others. In dev it is minted at start-up.
    service_token: SecretStr | None = None

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_page_size: int = Field(default=200, ge=1, le=1000)
    log_level: str = "INFO"
    log_json: bool = True

    http_timeout_seconds: float = Field(default=5.0, gt=0)
    http_retries: int = Field(default=2, ge=0, le=5)

    # How long a completed request is remembered by its Idempotency-Key (retries come within
    # minutes or hours; after this the same key acts anew). Purged about hourly.
    idempotency_retention_days: int = Field(default=30, ge=1, le=3650)
    idempotency_purge_interval_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _secrets_are_not_dev_defaults_outside_dev(self) -> Self:
        if self.env is Environment.DEV or self.env is Environment.TEST:
            return self
        if self.jwt_algorithm is JwtAlgorithm.HS256:
            secret = self.jwt_secret.get_secret_value()
            if secret == DEV_JWT_SECRET:
                raise ValueError(
                    "jwt_secret is the development default; set a real secret "
                    f"(env {self.model_config.get('env_prefix', '')}JWT_SECRET) outside dev"
                )
            if len(secret) < 32:
                raise ValueError("jwt_secret must be at least 32 characters outside dev")
        elif not (self.jwt_public_key or self.jwt_jwks_url):
            raise ValueError("RS256 needs jwt_public_key or jwt_jwks_url")
        if self.service_token is None:
            raise ValueError(
                "service_token must be set outside dev (the token for calls to other services)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_sqlite_url(service_name: str) -> str:
    """The embedded database under ``var/`` that ``make run`` uses when no URL is set."""
    return f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / f'{service_name}.db'}"
