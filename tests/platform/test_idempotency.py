"""Idempotency-Key: the first result is stored and replayed; a different body is refused."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.conftest import space_body


async def _count(registry, auth) -> int:
    response = await registry.get("/v1/spaces?limit=200", headers=auth("city_admin"))
    return len(response.json()["items"])


async def test_retry_with_same_key_replays_the_first_result(registry, auth) -> None:
    headers = {**auth("city_admin"), "Idempotency-Key": "create-xiruan-1"}
    body = space_body(name="西软众创空间")
    first = await registry.post("/v1/spaces", json=body, headers=headers)
    second = await registry.post("/v1/spaces", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(registry, auth) == 1
    audit = (await registry.get("/v1/audit-log", headers=auth("auditor"))).json()["items"]
    assert len(audit) == 1  # the replay did nothing, so recorded nothing


async def test_same_key_with_a_different_body_is_refused_and_changes_nothing(
    registry, auth
) -> None:
    headers = {**auth("city_admin"), "Idempotency-Key": "k-42"}
    await registry.post("/v1/spaces", json=space_body(name="甲"), headers=headers)
    response = await registry.post("/v1/spaces", json=space_body(name="乙"), headers=headers)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:lzms:problem:idempotency-key-reused"
    assert "k-42" in response.json()["detail"]
    assert await _count(registry, auth) == 1


async def test_key_order_and_whitespace_do_not_make_a_different_body(registry, auth) -> None:
    headers = {
        **auth("city_admin"),
        "Idempotency-Key": "k-json",
        "Content-Type": "application/json",
    }
    body = space_body()
    compact = json.dumps(body, ensure_ascii=False)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=False)
    first = await registry.post("/v1/spaces", content=compact.encode(), headers=headers)
    second = await registry.post("/v1/spaces", content=reordered.encode(), headers=headers)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]


async def test_keys_belong_to_their_caller(registry, auth) -> None:
    """Two callers choosing the same key do not see each other's results."""
    one = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code="620102"),
        headers={**auth("district_officer", "620102"), "Idempotency-Key": "shared"},
    )
    two = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code="620103"),
        headers={**auth("district_officer", "620103"), "Idempotency-Key": "shared"},
    )
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]
    assert "idempotent-replayed" not in two.headers


async def test_keys_belong_to_a_caller_in_one_role(registry, auth) -> None:
    """The same subject under another role does not get the stored result replayed."""
    body = space_body(jurisdiction_code="620102")
    as_bureau = await registry.post(
        "/v1/spaces", json=body, headers={**auth("city_admin", sub="u-9"), "Idempotency-Key": "k"}
    )
    as_auditor = await registry.post(
        "/v1/spaces", json=body, headers={**auth("auditor", sub="u-9"), "Idempotency-Key": "k"}
    )
    assert as_bureau.status_code == 201
    assert as_auditor.status_code == 403  # evaluated afresh, not replayed


async def test_a_refused_request_is_not_stored(registry, auth) -> None:
    """A refusal changed nothing, so the same key may carry the corrected request."""
    headers = {**auth("district_officer", "620102"), "Idempotency-Key": "fix-me"}
    body = space_body(jurisdiction_code="620104")
    refused = await registry.post("/v1/spaces", json=body, headers=headers)
    assert refused.status_code == 403
    # The same request again is evaluated again (and refused again), not replayed.
    again = await registry.post("/v1/spaces", json=body, headers=headers)
    assert again.status_code == 403
    assert "idempotent-replayed" not in again.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "中文"])
async def test_malformed_key_is_422(registry, auth, key) -> None:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(),
        headers={**auth("city_admin"), "Idempotency-Key": key.encode("utf-8")},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await _count(registry, auth) == 0


@pytest.mark.backends("postgresql")
async def test_fifty_concurrent_retries_create_once(registry, auth) -> None:
    headers = {**auth("city_admin"), "Idempotency-Key": "storm"}
    body = space_body()
    responses = await asyncio.gather(
        *(registry.post("/v1/spaces", json=body, headers=headers) for _ in range(50))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 49
    assert await _count(registry, auth) == 1


async def test_keys_past_their_retention_are_forgotten_and_may_act_anew(
    registry_app, registry, auth
) -> None:
    from datetime import timedelta

    import sqlalchemy as sa

    from shared.db import utcnow
    from shared.idempotency import purge_expired
    from shared.platform_schema import idempotency_keys

    headers = {**auth("city_admin"), "Idempotency-Key": "create-haiyi-1"}
    first = await registry.post("/v1/spaces", json=space_body(name="海逸众创空间"), headers=headers)
    assert first.status_code == 201
    database = registry_app.state.database
    async with database.session() as session:
        # Nothing is old enough yet.
        assert await purge_expired(session, utcnow() - timedelta(days=30)) == 0
        assert await purge_expired(session, utcnow() + timedelta(seconds=1)) == 1
        await session.commit()
        left = await session.scalar(sa.select(sa.func.count()).select_from(idempotency_keys))
    assert left == 0
    # Forgotten, the key acts anew: this body would have been refused as a different request.
    again = await registry.post(
        "/v1/spaces", json=space_body(name="图博未来众创空间"), headers=headers
    )
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await _count(registry, auth) == 2
