"""Alembic, one history per service: configuration, the env.py body, and head checks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import create_engine
from shared.settings import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "migrations"
SERVICES = ("registry", "eligibility", "subsidy")


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def alembic_config(service: str, database_url: str | None = None) -> Config:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"), ini_section=service)
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@lru_cache
def head_revisions(service: str) -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config(service)).get_heads())


async def current_revisions(connection: AsyncConnection, service: str) -> frozenset[str]:
    table = version_table(service)
    exists = await connection.run_sync(lambda sync: sa.inspect(sync).has_table(table))
    if not exists:
        return frozenset()
    rows = await connection.execute(sa.text(f"SELECT version_num FROM {table}"))
    return frozenset(row[0] for row in rows)


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    """Migrate a database (blocking; runs its own event loop, so call it from sync code)."""
    command.upgrade(alembic_config(service, database_url), revision)


def downgrade(service: str, database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service, database_url), revision)


def run_env(service: str, target_metadata: Sequence[sa.MetaData], default_url: str) -> None:
    """The body of ``migrations/<service>/env.py``: online (async driver) or offline (--sql)."""
    config = context.config
    url = config.attributes.get("database_url") or default_url

    def configure(**target: Any) -> None:
        context.configure(
            target_metadata=list(target_metadata),
            version_table=version_table(service),
            render_as_batch=url.startswith("sqlite"),  # SQLite alters a table by copying it
            compare_type=True,
            **target,
        )

    if context.is_offline_mode():
        configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run_sync(connection: Connection) -> None:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run_sync)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(run_async())
