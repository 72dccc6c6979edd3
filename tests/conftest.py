"""Test databases for both engines, apps with their lifespans, and tokens for every role.

Every test that takes ``backend`` runs on SQLite and on PostgreSQL (``@pytest.mark.backends``
narrows that). PostgreSQL is used whenever it is reachable; under ``CI=true`` it is required
and the run stops at once without it. Each test gets fresh databases copied from a template
that the migrations built once per run, so no test sees another's data.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from shared import migrate
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.settings import BaseServiceSettings

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
RUN_ID = uuid.uuid4().hex[:8]


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _pg_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


def pytest_configure(config: pytest.Config) -> None:
    problem = asyncio.run(_pg_reachable())
    config.stash[_PG_PROBLEM] = problem
    if problem is not None and os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"CI=true requires PostgreSQL at {PG_ADMIN_DSN} and it is unreachable ({problem}); "
            "the PostgreSQL path may not be skipped in CI"
        )


_PG_PROBLEM = pytest.StashKey[str | None]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = marker.args if marker else BACKENDS
    metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        problem = request.config.stash[_PG_PROBLEM]
        if problem is not None:
            pytest.skip(f"PostgreSQL unreachable ({problem}); CI requires it")
    return name


class DatabaseFactory:
    """Fresh, migrated databases: copies of one template per service and engine per run."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self._templates: dict[tuple[str, str], str] = {}
        self._pg_databases: list[str] = []

    def _template(self, service: str, backend: str) -> str:
        key = (service, backend)
        if key not in self._templates:
            if backend == "sqlite":
                path = self.tmp_root / f"{service}-template.db"
                migrate.upgrade(service, f"sqlite+aiosqlite:///{path}")
                self._templates[key] = str(path)
            else:
                name = f"lzms_{RUN_ID}_{service}_tpl"
                asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
                self._pg_databases.append(name)
                migrate.upgrade(service, _pg_url(name))
                self._templates[key] = name
        return self._templates[key]

    def empty(self, service: str, backend: str) -> str:
        """A database with nothing in it (not migrated)."""
        name = f"{service}_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp_root / (name + '.db')}"
        database = f"lzms_{RUN_ID}_{name}"
        asyncio.run(_pg_exec(f'CREATE DATABASE "{database}"'))
        self._pg_databases.append(database)
        return _pg_url(database)

    def migrated(self, service: str, backend: str) -> str:
        template = self._template(service, backend)
        name = f"{service}_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            path = self.tmp_root / f"{name}.db"
            shutil.copyfile(template, path)
            return f"sqlite+aiosqlite:///{path}"
        database = f"lzms_{RUN_ID}_{name}"
        asyncio.run(_pg_exec(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
        self._pg_databases.append(database)
        return _pg_url(database)

    def drop_all(self) -> None:
        if self._pg_databases:
            asyncio.run(
                _pg_exec(
                    *(
                        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                        for name in reversed(self._pg_databases)
                    )
                )
            )


async def _pg_exec(*statements: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


def _settings(service: str, database_url: str, **overrides: Any) -> BaseServiceSettings:
    if service == "registry":
        from services.registry.config import RegistrySettings

        return RegistrySettings(database_url=database_url, env="test", log_json=True, **overrides)
    if service == "eligibility":
        from services.eligibility.config import EligibilitySettings

        return EligibilitySettings(database_url=database_url, env="test", **overrides)
    from services.subsidy.config import SubsidySettings

    return SubsidySettings(database_url=database_url, env="test", **overrides)


def _create_app(service: str, settings: BaseServiceSettings) -> FastAPI:
    if service == "registry":
        from services.registry.app import create_app as registry_app

        return registry_app(settings)  # type: ignore[arg-type]
    if service == "eligibility":
        from services.eligibility.app import create_app as eligibility_app

        return eligibility_app(settings)  # type: ignore[arg-type]
    from services.subsidy.app import create_app as subsidy_app

    return subsidy_app(settings)  # type: ignore[arg-type]


AppFactory = Callable[..., Any]


@pytest.fixture
async def make_app(databases: DatabaseFactory, backend: str) -> AsyncIterator[AppFactory]:
    """Start a service's app (lifespan included) on a fresh migrated database of ``backend``."""
    stack: list[Any] = []

    async def start(service: str, *, database_url: str | None = None, **overrides: Any) -> FastAPI:
        # Migrations and CREATE DATABASE run their own event loop: keep them off this one.
        url = database_url or await asyncio.to_thread(databases.migrated, service, backend)
        app = _create_app(service, _settings(service, url, **overrides))
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        stack.append(context)
        return app

    yield start
    for context in reversed(stack):
        await context.__aexit__(None, None, None)


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    )


@pytest.fixture
async def registry_app(make_app: AppFactory) -> FastAPI:
    app: FastAPI = await make_app("registry")
    return app


@pytest.fixture
async def registry(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(registry_app) as client:
        yield client


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth(registry_app: FastAPI) -> TokenFactory:
    """Authorization headers for a role: ``auth("district_officer", "620102")``."""
    settings = registry_app.state.settings

    def headers(
        role: str, jurisdiction: str | None = None, *, sub: str | None = None, **claims: Any
    ) -> dict[str, str]:
        token = issue_token(
            settings,
            role=Role(role),
            jurisdiction=jurisdiction,
            subject=sub or f"test-{role}-{jurisdiction or 'all'}",
            **claims,
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


def space_body(**overrides: Any) -> dict[str, Any]:
    """A valid space registration; each test states only what matters to it."""
    body = {
        "name": f"测试众创空间-{uuid.uuid4().hex[:6]}",
        "jurisdiction_code": "620102",
        "form": "comprehensive",
        "profile": "tech_startup",
        "opened_on": "2024-03-01",
    }
    body.update(overrides)
    return body
