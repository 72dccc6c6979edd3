"""Health, readiness, metrics, and the offline Swagger UI of every service."""

from __future__ import annotations

import re
import threading

import pytest

from tests.conftest import client_for, space_body

SERVICES = ["registry", "eligibility", "subsidy"]


@pytest.mark.parametrize("service", SERVICES)
async def test_health_and_readiness(make_app, service) -> None:
    app = await make_app(service)
    async with client_for(app) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert health.json() == {"status": "ok", "service": service}
    assert ready.status_code == 200
    assert ready.json()["migrations"] == "at head"


@pytest.mark.parametrize("service", SERVICES)
async def test_not_ready_when_migrations_are_behind(make_app, databases, backend, service) -> None:
    import asyncio

    url = await asyncio.to_thread(databases.empty, service, backend)
    app = await make_app(service, database_url=url)
    async with client_for(app) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert health.status_code == 200  # the process is up...
    assert ready.status_code == 503  # ...but not ready to serve
    assert ready.json()["migrations"] == "behind"
    assert "make migrate" in ready.json()["detail"]


@pytest.mark.backends("sqlite")
async def test_not_ready_when_database_is_unreachable(make_app, tmp_path) -> None:
    app = await make_app(
        "registry", database_url=f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db"
    )
    async with client_for(app) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
    # After a failed connect aiosqlite stops its worker thread without waiting for it, and the
    # thread then reports to this test's event loop: let it end while the loop is still open
    # (else it raises "Event loop is closed" in its thread, after the test).
    for thread in threading.enumerate():
        if thread.name.endswith("(_connection_worker_thread)"):
            thread.join(timeout=5)


@pytest.mark.backends("sqlite")
async def test_metrics_count_requests_by_route_template(registry, auth) -> None:
    admin = auth("city_admin")
    created = await registry.post("/v1/spaces", json=space_body(), headers=admin)
    await registry.get(f"/v1/spaces/{created.json()['id']}", headers=admin)
    await registry.get("/v1/spaces/00000000-0000-0000-0000-000000000000", headers=admin)
    text = (await registry.get("/metrics")).text
    assert (
        'http_requests_total{method="GET",route="/v1/spaces/{space_id}",status="200"} 1.0' in text
    )
    assert (
        'http_requests_total{method="GET",route="/v1/spaces/{space_id}",status="404"} 1.0' in text
    )
    assert 'http_requests_total{method="POST",route="/v1/spaces",status="201"} 1.0' in text
    assert 'http_request_duration_seconds_bucket{le="0.1",method="POST",route="/v1/spaces"}' in text
    assert created.json()["id"] not in text  # raw paths never become labels


@pytest.mark.backends("sqlite")
async def test_metrics_count_server_errors(registry_app) -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/v1/test-crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    registry_app.include_router(router)
    async with client_for(registry_app) as client:
        assert (await client.get("/v1/test-crash")).status_code == 500
        text = (await client.get("/metrics")).text
    assert 'http_request_errors_total{method="GET",route="/v1/test-crash"} 1.0' in text


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("service", SERVICES)
async def test_swagger_ui_works_offline(make_app, service) -> None:
    app = await make_app(service)
    async with client_for(app) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets, "the page loads its scripts and styles"
        assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
        assert "cdn" not in page.text.lower()
        for asset in assets:
            fetched = await client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.content) > 100
        bundle = await client.get("/docs-static/swagger-ui-bundle.js")
        assert b"SwaggerUIBundle" in bundle.content


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_contract_is_bilingual_and_lists_problems(make_app, service) -> None:
    app = await make_app(service)
    async with client_for(app) as client:
        spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert re.search(r"[\u4e00-\u9fff]", spec["info"]["title"])  # Chinese...
    assert re.search(r"[A-Za-z]{4,}", spec["info"]["title"])  # ...and English
    assert "ProblemDetails" in spec["components"]["schemas"]
    verify = spec["paths"]["/v1/audit-log/verify"]["get"]["responses"]
    assert "application/problem+json" in verify["403"]["content"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
