"""Problem documents for every failure, and the limits that protect a service."""

from __future__ import annotations

import uuid
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.spaces.models import Space
from shared.auth import Principal, authenticated
from shared.db import utcnow
from shared.unit_of_work import TransactionalRoute, get_session
from tests.conftest import client_for, space_body

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def _mount_failing_route(app) -> None:
    router = APIRouter(route_class=TransactionalRoute)

    @router.post("/v1/test-failure")
    async def write_then_crash(
        session: Annotated[AsyncSession, Depends(get_session)],
        principal: Annotated[Principal, Depends(authenticated)],
    ) -> None:
        session.add(
            Space(
                id=uuid.uuid4(),
                name="半途而废",
                jurisdiction_code="620102",
                form="comprehensive",
                profile="culture",
                opened_on=utcnow().date(),
                created_at=utcnow(),
                created_by=principal.subject,
            )
        )
        await session.flush()
        raise RuntimeError("SELECT secret FROM internals")

    app.include_router(router)


async def test_unexpected_failure_is_a_500_problem_that_changes_nothing(registry_app, auth) -> None:
    _mount_failing_route(registry_app)
    async with client_for(registry_app) as client:
        response = await client.post(
            "/v1/test-failure", headers={**auth("city_admin"), "X-Request-ID": "req-500"}
        )
        spaces = await client.get("/v1/spaces", headers=auth("city_admin"))
        audit = await client.get("/v1/audit-log", headers=auth("auditor"))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:lzms:problem:internal-error"
    assert body["request_id"] == "req-500" == response.headers["x-request-id"]
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert spaces.json()["items"] == []  # the flushed row was rolled back
    (record,) = audit.json()["items"]
    assert (record["outcome"], record["status_code"]) == ("failed", 500)


async def test_a_500_is_logged_with_its_request_id(registry_app, auth, caplog) -> None:
    _mount_failing_route(registry_app)
    async with client_for(registry_app) as client:
        await client.post(
            "/v1/test-failure", headers={**auth("city_admin"), "X-Request-ID": "trace-me-42"}
        )
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    (error,) = [e for e in events if e.get("event") == "unhandled_error"]
    assert error["request_id"] == "trace-me-42"
    (record,) = [r for r in caplog.records if r.msg is error]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None  # the trace stays in the log, not the reply
    assert record.exc_info[0] is RuntimeError


async def test_unknown_route_and_wrong_method_are_problems(registry) -> None:
    missing = await registry.get("/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:lzms:problem:not-found"
    assert "/v1/nowhere" in missing.json()["detail"]
    wrong = await registry.delete("/v1/jurisdictions")
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "urn:lzms:problem:method-not-allowed"
    assert wrong.headers["allow"] == "GET, HEAD"


async def test_a_405_allows_every_method_the_resource_has(registry, auth) -> None:
    """GET and POST /v1/operators are two routes; a 405 names both, not the first one found."""
    admin = auth("city_admin")
    for path, allowed in (
        ("/v1/operators", "GET, HEAD, POST"),
        ("/v1/operators/0b7f6c1e-3d1a-4c52-9a52-0c1f9e8f3a11", "GET, HEAD, PATCH"),
        ("/v1/spaces/0b7f6c1e-3d1a-4c52-9a52-0c1f9e8f3a11", "GET, HEAD, PATCH"),
        ("/v1/spaces/export", "GET, HEAD"),  # the export, not a space whose id is "export"
    ):
        response = await registry.request("OPTIONS", path, headers=admin)
        assert response.status_code == 405, path
        assert response.headers["allow"] == allowed, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_a_422_problem(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces",
        content=b'{"name": ',
        headers={**auth("city_admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_undecodable_body_is_a_400_problem(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces",
        content=b"\xc4T\xa7\x9c]rd;",
        headers={**auth("city_admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:lzms:problem:malformed-body"
    assert "UTF-8 JSON" in response.json()["detail"]


async def test_unknown_fields_are_refused(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces", json=space_body(area_m2=500), headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.area_m2"


@pytest.fixture
async def small_registry(make_app):
    app = await make_app("registry", max_body_bytes=2048)
    async with client_for(app) as client:
        yield client


async def test_declared_body_over_the_limit_is_413(small_registry, auth) -> None:
    body = space_body(name="大" * 1000)  # 3,000 bytes of UTF-8
    response = await small_registry.post("/v1/spaces", json=body, headers=auth("city_admin"))
    assert response.status_code == 413
    assert response.json()["max_body_bytes"] == 2048


async def test_streamed_body_over_the_limit_is_413(small_registry, auth) -> None:
    async def chunks():
        for _ in range(5):
            yield b" " * 1000

    response = await small_registry.post(
        "/v1/spaces",
        content=chunks(),
        headers={**auth("city_admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_streamed_body_under_the_limit_is_read(small_registry, auth) -> None:
    import json

    payload = json.dumps(space_body()).encode()

    async def chunks():
        yield payload[:10]
        yield payload[10:]

    response = await small_registry.post(
        "/v1/spaces",
        content=chunks(),
        headers={**auth("city_admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 201


async def test_request_id_is_kept_when_sane_and_replaced_when_not(registry) -> None:
    kept = await registry.get("/healthz", headers={"X-Request-ID": "oa-2026-11-26.0001"})
    assert kept.headers["x-request-id"] == "oa-2026-11-26.0001"
    replaced = await registry.get("/healthz", headers={"X-Request-ID": "bad id\n{json}"})
    assert replaced.headers["x-request-id"] != "bad id\n{json}"
    assert len(replaced.headers["x-request-id"]) == 32
    generated = await registry.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32


# --- text no store or export could carry --------------------------------------------------------


async def test_a_control_character_in_a_body_is_a_422_naming_the_field(registry, auth) -> None:
    """PostgreSQL cannot store U+0000 and an xlsx export cannot carry U+001B: both are refused
    where they arrive, and nothing is recorded."""
    admin = auth("city_admin")
    before = (await registry.get("/v1/spaces", headers=admin)).json()["items"]
    for name, code in (("西软\u0000众创空间", "U+0000"), ("西软\u001b众创空间", "U+001B")):
        response = await registry.post("/v1/spaces", json=space_body(name=name), headers=admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        error = response.json()["errors"][0]
        assert error["field"] == "body.name"
        assert code in error["message"]
    # A lone surrogate is not Unicode text (it cannot be written as UTF-8).
    response = await registry.post(
        "/v1/spaces",
        content=b'{"name": "\\ud800", "jurisdiction_code": "620102", "form": "virtual", '
        b'"profile": "culture", "opened_on": "2024-01-01"}',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"
    assert (await registry.get("/v1/spaces", headers=admin)).json()["items"] == before


async def test_text_of_a_condition_version_is_checked_in_its_section_fields(registry, auth) -> None:
    admin = auth("city_admin")
    space = (await registry.post("/v1/spaces", json=space_body(), headers=admin)).json()
    response = await registry.put(
        f"/v1/spaces/{space['id']}/online-platform",
        json={
            "effective_on": "2024-02-01",
            "operates_online_platform": True,
            "platform_url": "https://example.org/\u0000",
            "connects_resources": True,
            "offers_incubation_services": True,
        },
        headers=admin,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.platform_url"


async def test_a_control_character_in_the_query_is_a_422_naming_the_parameter(
    registry, auth
) -> None:
    admin = auth("city_admin")
    response = await registry.get("/v1/audit-log?actor_subject=a%00b&limit=5", headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "query.actor_subject",
            "message": response.json()["errors"][0]["message"],
            "type": "value_error",
        }
    ]
    assert "U+0000" in response.json()["errors"][0]["message"]
    response = await registry.get("/v1/spaces?x%1Fy=1", headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.'x\\x1fy'"
    # Tab, line feed and carriage return are text; anything else percent-encoded passes on.
    response = await registry.get("/v1/audit-log?actor_subject=a%09b%0A%20c%25", headers=admin)
    assert response.status_code == 200, response.text


async def test_lax_json_types_are_refused_naming_the_field(registry, auth) -> None:
    """A count sent as false, a date sent as a number: refused, and nothing is recorded."""
    admin = auth("city_admin")
    space = (await registry.post("/v1/spaces", json=space_body(), headers=admin)).json()
    activities = f"/v1/spaces/{space['id']}/activities"
    for body, field in (
        (
            {"kind": "camp", "title": "训练营", "held_on": "2024-03-01", "attendance": False},
            "body.attendance",
        ),
        (
            {"kind": "camp", "title": "训练营", "held_on": "2024-03-01", "attendance": "30"},
            "body.attendance",
        ),
        (
            {"kind": "camp", "title": "训练营", "held_on": 1709251200, "attendance": 30},
            "body.held_on",
        ),
    ):
        response = await registry.post(activities, json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    assert (await registry.get(activities, headers=admin)).json()["items"] == []
    accepted = await registry.post(
        activities,
        json={"kind": "camp", "title": "训练营", "held_on": "2024-03-01", "attendance": 30},
        headers=admin,
    )
    assert accepted.status_code == 201, accepted.text


async def test_a_date_in_the_query_is_yyyy_mm_dd_not_a_number(registry, auth) -> None:
    admin = auth("city_admin")
    for value in ("0", "1709251200", "2026-3-1"):
        response = await registry.get("/v1/statistics", params={"as_of": value}, headers=admin)
        assert response.status_code == 422, (value, response.text)
        assert response.json()["errors"][0]["field"] == "query.as_of"
        assert "YYYY-MM-DD" in response.json()["errors"][0]["message"]
    response = await registry.get("/v1/statistics", params={"as_of": "2026-03-01"}, headers=admin)
    assert response.status_code == 200, response.text
