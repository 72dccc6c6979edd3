"""The order of refusals on every route: authentication (401), then the role (403), then the
preconditions (428 without the Idempotency-Key a money route needs, 422 for a malformed key),
then the body (400 unreadable, 422 invalid). A caller is told only what it may act on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.subsidy.access import treasurers
from shared.auth import Principal, Role
from shared.auth.tokens import issue_token
from tests.conftest import client_for, space_body

pytestmark = pytest.mark.backends("sqlite", "postgresql")

MONEY_ROUTE = "/v1/budgets/2026/appropriations"
APPROPRIATION = {
    "amount_fen": 100_000,
    "document_no": "兰科发〔2026〕1号",
    "appropriated_on": "2026-01-05",
}
MALFORMED = b'{"amount_fen": '
TOO_DEEP = b"[" * 1000 + b"]" * 1000


def _token(app: FastAPI, role: str) -> dict[str, str]:
    token = issue_token(app.state.settings, role=Role(role), subject=f"order-{role}")
    return {"Authorization": f"Bearer {token}"}


async def _post(
    client: httpx.AsyncClient,
    path: str,
    *,
    headers: dict[str, str],
    body: Any = None,
    content: bytes | None = None,
) -> httpx.Response:
    if content is None:
        return await client.post(path, json=body, headers=headers)
    return await client.post(
        path, content=content, headers={**headers, "Content-Type": "application/json"}
    )


def _problem(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"]).removeprefix("urn:lzms:problem:")


@pytest.fixture
async def subsidy_app(make_app) -> FastAPI:
    app: FastAPI = await make_app("subsidy")
    return app


async def test_an_auditor_without_a_key_on_a_money_route_is_403_not_428(subsidy_app) -> None:
    auditor = _token(subsidy_app, "auditor")
    async with client_for(subsidy_app) as client:
        for content in (None, MALFORMED, TOO_DEEP):
            response = await _post(
                client, MONEY_ROUTE, headers=auditor, body=APPROPRIATION, content=content
            )
            assert response.status_code == 403, response.text
            assert _problem(response) == "forbidden"
            # A malformed key is not looked at either: the role may not do this at all.
            response = await _post(
                client,
                MONEY_ROUTE,
                headers={**auditor, "Idempotency-Key": "not a key"},
                body=APPROPRIATION,
                content=content,
            )
            assert response.status_code == 403, response.text
        budgets = await client.get("/v1/budgets", headers=_token(subsidy_app, "finance_officer"))
    assert budgets.json() == []


async def test_a_money_route_refuses_in_order(subsidy_app) -> None:
    finance = _token(subsidy_app, "finance_officer")
    key = {"Idempotency-Key": "order-1"}
    async with client_for(subsidy_app) as client:
        # No token: 401, whatever else is wrong.
        response = await _post(client, MONEY_ROUTE, headers={}, content=MALFORMED)
        assert (response.status_code, _problem(response)) == (401, "unauthorized")
        # The role may: the missing key comes before the body.
        for content in (MALFORMED, TOO_DEEP):
            response = await _post(client, MONEY_ROUTE, headers=finance, content=content)
            assert (response.status_code, _problem(response)) == (
                428,
                "idempotency-key-required",
            )
        response = await _post(
            client, MONEY_ROUTE, headers={**finance, "Idempotency-Key": "a b"}, content=MALFORMED
        )
        assert (response.status_code, _problem(response)) == (422, "validation-error")
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
        # With the key, the body is looked at: unreadable 400, then invalid 422.
        response = await _post(client, MONEY_ROUTE, headers={**finance, **key}, content=TOO_DEEP)
        assert (response.status_code, _problem(response)) == (400, "body-too-deep")
        response = await _post(client, MONEY_ROUTE, headers={**finance, **key}, content=MALFORMED)
        assert (response.status_code, _problem(response)) == (422, "validation-error")
        response = await _post(client, MONEY_ROUTE, headers={**finance, **key}, body=APPROPRIATION)
        assert response.status_code == 201, response.text


async def test_a_registry_write_refuses_in_order(registry_app) -> None:
    auditor = _token(registry_app, "auditor")
    admin = _token(registry_app, "city_admin")
    async with client_for(registry_app) as client:
        for content in (MALFORMED, TOO_DEEP):
            response = await _post(client, "/v1/spaces", headers={}, content=content)
            assert (response.status_code, _problem(response)) == (401, "unauthorized")
            for headers in (auditor, {**auditor, "Idempotency-Key": "not a key"}):
                response = await _post(client, "/v1/spaces", headers=headers, content=content)
                assert (response.status_code, _problem(response)) == (403, "forbidden")
        response = await _post(
            client,
            "/v1/spaces",
            headers={**admin, "Idempotency-Key": "not a key"},
            content=MALFORMED,
        )
        assert (response.status_code, _problem(response)) == (422, "validation-error")
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
        response = await _post(client, "/v1/spaces", headers=admin, content=MALFORMED)
        assert (response.status_code, _problem(response)) == (422, "validation-error")
        assert response.json()["errors"][0]["type"] == "json_invalid"
        listed = await client.get("/v1/spaces", headers=admin)
        assert listed.json()["items"] == []
        created = await _post(client, "/v1/spaces", headers=admin, body=space_body())
        assert created.status_code == 201, created.text


async def test_an_analysis_route_asks_for_the_token_before_reading_the_body(make_app) -> None:
    app = await make_app("eligibility")
    async with client_for(app) as client:
        for path in ("/v1/evaluations/batch", "/v1/impact", "/v1/what-if"):
            response = await _post(client, path, headers={}, content=MALFORMED)
            assert (response.status_code, _problem(response)) == (401, "unauthorized"), path
            response = await _post(client, path, headers=_token(app, "auditor"), content=TOO_DEEP)
            assert (response.status_code, _problem(response)) == (403, "forbidden"), path


async def test_a_role_check_the_app_overrides_is_left_to_the_override(subsidy_app) -> None:
    """The guard runs the route's own role checks, unless the app stands another in (as a test
    may): then the stand-in decides, as FastAPI would have it."""
    standin = Principal(subject="standin-finance", role=Role.FINANCE_OFFICER)
    subsidy_app.dependency_overrides[treasurers] = lambda: standin
    try:
        async with client_for(subsidy_app) as client:
            response = await _post(
                client,
                MONEY_ROUTE,
                headers={**_token(subsidy_app, "auditor"), "Idempotency-Key": "standin-1"},
                body=APPROPRIATION,
            )
    finally:
        subsidy_app.dependency_overrides.clear()
    assert response.status_code == 201, response.text
