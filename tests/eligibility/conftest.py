"""The eligibility app wired to a real registry app in process, as it runs beside one."""

from __future__ import annotations

import httpx
import pytest

from services.eligibility.clients.registry import RegistryClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import space_body


@pytest.fixture
async def wired(make_app, registry_app):
    """An eligibility app whose registry client talks to ``registry_app`` in-process."""
    eligibility_app = await make_app("eligibility")
    token = issue_token(
        registry_app.state.settings, role=Role.SERVICE, subject="service:eligibility"
    )
    client = RegistryClient(
        "registry",
        "http://registry",
        lambda: token,
        transport=httpx.ASGITransport(app=registry_app),
    )
    await eligibility_app.state.registry_client.aclose()
    eligibility_app.state.registry_client = client
    yield eligibility_app
    await client.aclose()


async def registered_space(registry, auth, jurisdiction: str = "620102") -> str:
    """A space the registry has, in ``jurisdiction``; its id."""
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction),
        headers=auth("city_admin"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
