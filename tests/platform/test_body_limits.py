"""Each route's body limit, as the contract states it: 1 MiB unless the route needs more (a
document's file 16 MiB, a batch or impact run 32 MiB). Exactly the limit is read; one byte more
is a 413 naming the limit, declared or streamed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import client_for, space_body
from tests.eligibility.factories import request as evaluation_body

pytestmark = pytest.mark.backends("sqlite", "postgresql")

MiB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def _token(app: FastAPI, role: str) -> dict[str, str]:
    token = issue_token(app.state.settings, role=Role(role), subject=f"limits-{role}")
    return {"Authorization": f"Bearer {token}"}


def _padded(body: Any, size: int) -> bytes:
    """``body`` as JSON text of exactly ``size`` bytes (trailing whitespace is JSON too)."""
    text = json.dumps(body, ensure_ascii=False).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


async def _chunks(content: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


def _too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:lzms:problem:payload-too-large"
    assert response.json()["max_body_bytes"] == limit
    assert str(limit) in response.json()["detail"]


def _limit_in_contract(app: FastAPI, method: str, path: str) -> int:
    operation = app.openapi()["paths"][path][method]
    return int(operation["x-max-body-bytes"])


async def test_the_contract_states_the_depth_and_size_limits(registry_app) -> None:
    responses = registry_app.openapi()["paths"]["/v1/spaces"]["post"]["responses"]
    assert "32 levels" in responses["400"]["description"]
    assert "x-max-body-bytes" in responses["413"]["description"]


async def test_a_registry_write_takes_1_mib(registry_app) -> None:
    admin = {**_token(registry_app, "city_admin"), **JSON}
    assert _limit_in_contract(registry_app, "post", "/v1/spaces") == MiB
    async with client_for(registry_app) as client:
        over = _padded(space_body(), MiB + 1)
        _too_large(await client.post("/v1/spaces", content=over, headers=admin), MiB)
        streamed = await client.post(
            "/v1/spaces", content=_chunks(_padded(space_body(), MiB + 1)), headers=admin
        )
        _too_large(streamed, MiB)
        assert (await client.get("/v1/spaces", headers=admin)).json()["items"] == []
        exactly = await client.post("/v1/spaces", content=_padded(space_body(), MiB), headers=admin)
        assert exactly.status_code == 201, exactly.text


async def test_a_document_file_takes_16_mib(registry_app) -> None:
    limit = 16 * MiB
    path = "/v1/spaces/{space_id}/documents/{document_id}/content"
    assert _limit_in_contract(registry_app, "put", path) == limit
    officer = _token(registry_app, "city_admin")
    file = b"%PDF-1.4\n" + b"0" * (limit - 16) + b"\n%%EOF\n"
    assert len(file) == limit
    async with client_for(registry_app) as client:
        space = await client.post("/v1/spaces", json=space_body(), headers=officer)
        document = await client.post(
            f"/v1/spaces/{space.json()['id']}/documents",
            json={
                "kind": "lease_contract",
                "title": "场地租赁合同（扫描件）",
                "issuer": "兰州某置业有限公司",
                "issued_on": "2024-01-05",
                "supports": ["premises.lease_start"],
                "sha256": hashlib.sha256(file).hexdigest(),
                "size_bytes": limit,
                "media_type": "application/pdf",
                "filename": "场地租赁合同.pdf",
            },
            headers=officer,
        )
        assert document.status_code == 201, document.text
        url = f"/v1/spaces/{space.json()['id']}/documents/{document.json()['id']}/content"
        _too_large(await client.put(url, content=file + b"0", headers=officer), limit)
        _too_large(await client.put(url, content=_chunks(file + b"0"), headers=officer), limit)
        stored = await client.put(url, content=file, headers=officer)
        assert stored.status_code == 200, stored.text[:300]
        # The rest of the registry keeps 1 MiB.
        over = await client.post(
            "/v1/operators", content=b" " * (MiB + 1), headers={**officer, **JSON}
        )
        _too_large(over, MiB)


@pytest.mark.parametrize("path", ["/v1/evaluations/batch", "/v1/impact"])
async def test_batch_and_impact_take_32_mib(make_app, path: str) -> None:
    limit = 32 * MiB
    app = await make_app("eligibility")
    assert _limit_in_contract(app, "post", path) == limit
    body: dict[str, Any] = {"items": [evaluation_body()]}
    if path == "/v1/impact":
        body |= {
            "baseline_ruleset_id": "lz-measures-2018",
            "candidate_ruleset_id": "lz-measures-draft-stricter",
        }
    expert = {**_token(app, "expert"), **JSON}
    async with client_for(app) as client:
        over = _padded(body, limit + 1)
        _too_large(await client.post(path, content=over, headers=expert), limit)
        _too_large(await client.post(path, content=_chunks(over), headers=expert), limit)
        exactly = await client.post(path, content=_padded(body, limit), headers=expert)
        assert exactly.status_code == 200, exactly.text[:300]
        # Streamed past the service's 1 MiB, the route's own limit still holds.
        more = _padded(body, 2 * MiB)
        streamed = await client.post(path, content=_chunks(more), headers=expert)
        assert streamed.status_code == 200, streamed.text[:300]


async def test_the_rest_of_the_eligibility_service_takes_1_mib(make_app) -> None:
    app = await make_app("eligibility")
    expert = {**_token(app, "expert"), **JSON}
    assert _limit_in_contract(app, "post", "/v1/evaluations") == MiB
    async with client_for(app) as client:
        for path in ("/v1/evaluations", "/v1/what-if"):
            over = _padded(evaluation_body(), MiB + 1)
            _too_large(await client.post(path, content=over, headers=expert), MiB)
        exactly = await client.post(
            "/v1/evaluations", content=_padded(evaluation_body(), MiB), headers=expert
        )
        assert exactly.status_code == 201, exactly.text[:300]


async def test_a_money_route_takes_1_mib(make_app) -> None:
    app = await make_app("subsidy")
    path = "/v1/budgets/{fiscal_year}/appropriations"
    assert _limit_in_contract(app, "post", path) == MiB
    finance = {**_token(app, "finance_officer"), **JSON, "Idempotency-Key": "limits-1"}
    body = {
        "amount_fen": 100_000,
        "document_no": "兰科发〔2026〕7号",
        "appropriated_on": "2026-01-05",
    }
    url = "/v1/budgets/2026/appropriations"
    async with client_for(app) as client:
        _too_large(await client.post(url, content=_padded(body, MiB + 1), headers=finance), MiB)
        exactly = await client.post(url, content=_padded(body, MiB), headers=finance)
        assert exactly.status_code == 201, exactly.text[:300]
