"""The inter-service client: retries, error mapping, its headers, and request ids end to end."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.subsidy.clients.registry import RegistryClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.contracts.spaces import SpaceSummary
from shared.errors import NotFound, UpstreamFailed, UpstreamUnavailable
from shared.http_client import ServiceClient
from shared.request_id import _request_id
from tests.conftest import TokenFactory, client_for, space_body

Handler = Callable[[httpx.Request], httpx.Response]


class Peer:
    """A scripted peer: answers each call with its next step (a status, or an error to raise)."""

    def __init__(self, *steps: int | type[httpx.TransportError]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # Once the script runs out the last step repeats: a peer that stays down stays down.
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, int):
            if step == 200:
                return httpx.Response(200, json={"ok": True, "call": len(self.requests)})
            return httpx.Response(step, json={"detail": f"scripted {step}"})
        raise step("scripted transport failure", request=request)

    @property
    def calls(self) -> int:
        return len(self.requests)


def make_client(
    handler: Handler,
    *,
    retries: int = 2,
    token: Callable[[], str] = lambda: "tok-1",
    peer: str = "registry",
) -> ServiceClient:
    return ServiceClient(
        peer,
        "http://peer.test",
        token,
        retries=retries,
        backoff_seconds=0,
        transport=httpx.MockTransport(handler),
    )


@pytest.fixture
def request_id() -> Iterator[str]:
    """Make a request id current, as RequestIdMiddleware does inside a request."""
    value = f"rid-{uuid.uuid4().hex[:12]}"
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


# --- retries -----------------------------------------------------------------------------

RETRIED_FAILURES: list[Any] = [503, 502, 504, 429, httpx.ConnectError, httpx.ReadTimeout]


@pytest.mark.parametrize("failure", RETRIED_FAILURES)
async def test_get_is_retried_until_the_peer_recovers(failure: Any) -> None:
    peer = Peer(failure, failure, 200)
    client = make_client(peer, retries=2)
    try:
        response = await client.request("GET", "/v1/things/1")
    finally:
        await client.aclose()
    assert response.status_code == 200
    assert response.json() == {"ok": True, "call": 3}
    assert peer.calls == 3
    assert all(r.method == "GET" and r.url.path == "/v1/things/1" for r in peer.requests)


@pytest.mark.parametrize("failure", RETRIED_FAILURES)
@pytest.mark.parametrize("retries", [0, 1, 3])
async def test_attempts_are_bounded_by_retries_then_upstream_unavailable(
    failure: Any, retries: int
) -> None:
    peer = Peer(failure)  # never recovers
    client = make_client(peer, retries=retries, peer="registry")
    try:
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.get_json("/v1/things/1")
    finally:
        await client.aclose()
    assert peer.calls == 1 + retries
    error = raised.value
    assert error.status == 503
    assert "registry" in error.detail
    assert error.extensions["peer"] == "registry"
    expected_cause = f"HTTP {failure}" if isinstance(failure, int) else failure.__name__
    assert expected_cause in error.detail
    assert f"after {1 + retries} attempt" in error.detail


async def test_upstream_unavailable_names_whichever_peer_it_is() -> None:
    client = make_client(Peer(httpx.ConnectError), peer="eligibility")
    try:
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.request("GET", "/v1/checks")
    finally:
        await client.aclose()
    assert "eligibility" in raised.value.detail
    assert "registry" not in raised.value.detail
    assert raised.value.extensions["peer"] == "eligibility"


@pytest.mark.parametrize("failure", [503, httpx.ConnectError])
async def test_post_without_idempotency_key_is_not_retried(failure: Any) -> None:
    peer = Peer(failure, 200)  # would succeed on a second attempt, which must not happen
    client = make_client(peer, retries=3)
    try:
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.request("POST", "/v1/spaces", json={"name": "x"})
    finally:
        await client.aclose()
    assert peer.calls == 1
    assert "registry" in raised.value.detail
    assert "after 1 attempt)" in raised.value.detail


@pytest.mark.parametrize("failure", [503, httpx.ConnectError])
async def test_post_with_idempotency_key_is_retried_with_the_same_key(failure: Any) -> None:
    peer = Peer(failure, failure, 201)
    client = make_client(peer, retries=2)
    try:
        response = await client.request(
            "POST", "/v1/spaces", json={"name": "x"}, headers={"Idempotency-Key": "k-1"}
        )
    finally:
        await client.aclose()
    assert response.status_code == 201
    assert peer.calls == 3
    assert [r.headers.get("Idempotency-Key") for r in peer.requests] == ["k-1"] * 3
    assert all(r.content == b'{"name":"x"}' for r in peer.requests)


async def test_idempotency_key_header_name_is_case_insensitive() -> None:
    peer = Peer(503, 201)
    client = make_client(peer, retries=2)
    try:
        response = await client.request(
            "POST", "/v1/spaces", json={}, headers={"idempotency-key": "k-lower"}
        )
    finally:
        await client.aclose()
    assert response.status_code == 201
    assert peer.calls == 2


async def test_unanswered_post_says_to_repeat_with_the_same_key() -> None:
    """After a timeout the peer may have acted: the caller is told how to retry safely."""
    peer = Peer(httpx.ReadTimeout)
    client = make_client(peer, retries=0)
    try:
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.request("POST", "/v1/spaces", json={}, headers={"Idempotency-Key": "k"})
    finally:
        await client.aclose()
    assert "same Idempotency-Key" in caught.value.detail


async def test_post_with_idempotency_key_still_bounded_by_retries() -> None:
    peer = Peer(503)
    client = make_client(peer, retries=2)
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.request("POST", "/v1/spaces", json={}, headers={"Idempotency-Key": "k"})
    finally:
        await client.aclose()
    assert peer.calls == 3


# --- error mapping -----------------------------------------------------------------------


async def test_peer_404_becomes_not_found_without_retry() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            404,
            json={"type": "urn:lzms:problem:not-found", "status": 404, "detail": "no space 42"},
            headers={"Content-Type": "application/problem+json"},
        )

    calls: list[httpx.Request] = []
    client = make_client(handler, retries=3)
    try:
        with pytest.raises(NotFound) as raised:
            await client.get_json("/v1/spaces/42")
    finally:
        await client.aclose()
    assert len(calls) == 1
    assert raised.value.status == 404
    assert "registry" in raised.value.detail
    assert "no space 42" in raised.value.detail


async def test_peer_422_becomes_upstream_failed_carrying_the_peer_detail() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            422,
            json={
                "type": "urn:lzms:problem:validation-error",
                "title": "Request is invalid",
                "status": 422,
                "detail": "1 field is invalid; correct and resend: body.opened_on: in the future",
            },
            headers={"Content-Type": "application/problem+json"},
        )

    calls: list[httpx.Request] = []
    client = make_client(handler, retries=3)
    try:
        with pytest.raises(UpstreamFailed) as raised:
            await client.request("GET", "/v1/spaces", params={"form": "x"})
    finally:
        await client.aclose()
    assert len(calls) == 1  # a refusal is an answer, not an outage: never retried
    error = raised.value
    assert error.status == 502
    assert "registry" in error.detail
    assert "422" in error.detail
    assert "body.opened_on: in the future" in error.detail
    assert error.extensions == {"peer": "registry", "peer_status": 422}


@pytest.mark.parametrize("status", [400, 401, 403, 409])
async def test_other_4xx_become_upstream_failed(status: int) -> None:
    peer = Peer(status)
    client = make_client(peer)
    try:
        with pytest.raises(UpstreamFailed) as raised:
            await client.request("GET", "/v1/x")
    finally:
        await client.aclose()
    assert peer.calls == 1
    assert f"scripted {status}" in raised.value.detail
    assert raised.value.extensions["peer_status"] == status


# --- headers -----------------------------------------------------------------------------


async def test_every_attempt_carries_the_token_and_the_current_request_id(request_id: str) -> None:
    issued: list[str] = []

    def token() -> str:
        issued.append(f"tok-{len(issued) + 1}")
        return issued[-1]

    peer = Peer(503, httpx.ConnectError, 200)
    client = make_client(peer, retries=2, token=token)
    try:
        await client.request("GET", "/v1/spaces")
    finally:
        await client.aclose()
    assert peer.calls == 3
    # The token callable is asked on each attempt, so a renewed token is picked up at once.
    assert [r.headers["Authorization"] for r in peer.requests] == [f"Bearer {t}" for t in issued]
    assert len(issued) == 3
    assert [r.headers["X-Request-ID"] for r in peer.requests] == [request_id] * 3


async def test_post_carries_token_and_request_id(request_id: str) -> None:
    peer = Peer(200)
    client = make_client(peer, token=lambda: "svc-token")
    try:
        await client.request("POST", "/v1/spaces", json={"a": 1}, headers={"X-Extra": "1"})
    finally:
        await client.aclose()
    sent = peer.requests[0]
    assert sent.headers["Authorization"] == "Bearer svc-token"
    assert sent.headers["X-Request-ID"] == request_id
    assert sent.headers["X-Extra"] == "1"
    assert sent.headers["Accept"] == "application/json"


async def test_no_request_id_header_when_none_is_current() -> None:
    assert _request_id.get() is None
    peer = Peer(200)
    client = make_client(peer, token=lambda: "svc-token")
    try:
        await client.request("GET", "/v1/spaces")
    finally:
        await client.aclose()
    assert peer.requests[0].headers["Authorization"] == "Bearer svc-token"
    assert "X-Request-ID" not in peer.requests[0].headers


# --- end to end: subsidy's registry client against the real registry app -------------------


async def test_request_id_travels_to_the_registry_and_into_its_audit_log(
    registry_app: FastAPI, auth: TokenFactory, request_id: str
) -> None:
    settings = registry_app.state.settings
    body = space_body(name="西软众创空间-e2e", jurisdiction_code="620102")
    async with client_for(registry_app) as http:
        created = await http.post("/v1/spaces", json=body, headers=auth("city_admin"))
    assert created.status_code == 201, created.text
    space_id = uuid.UUID(created.json()["id"])

    def service_token() -> str:
        return issue_token(settings, role=Role.SERVICE, subject="service:subsidy")

    registry = RegistryClient(
        "registry",
        "http://registry",
        service_token,
        transport=httpx.ASGITransport(app=registry_app),
        backoff_seconds=0,
    )
    try:
        space = await registry.get_space(space_id)
        assert isinstance(space, SpaceSummary)
        assert space.id == space_id
        assert space.name == body["name"]
        assert space.jurisdiction_code == "620102"
        assert space.form == body["form"]
        assert space.profile == body["profile"]
        assert space.opened_on.isoformat() == body["opened_on"]

        echoed = await registry.request("GET", f"/v1/spaces/{space_id}")
        assert echoed.status_code == 200
        assert echoed.headers["X-Request-ID"] == request_id

        with pytest.raises(NotFound) as missing:
            await registry.get_space(uuid.uuid4())
        assert "registry" in missing.value.detail
    finally:
        await registry.aclose()

    def admin_token() -> str:
        return issue_token(settings, role=Role.CITY_ADMIN, subject="test-admin-via-client")

    writer = ServiceClient(
        "registry",
        "http://registry",
        admin_token,
        transport=httpx.ASGITransport(app=registry_app),
        backoff_seconds=0,
    )
    try:
        posted = await writer.request(
            "POST", "/v1/spaces", json=space_body(), headers={"Idempotency-Key": "k-1"}
        )
    finally:
        await writer.aclose()
    assert posted.status_code == 201
    assert posted.headers["X-Request-ID"] == request_id
    posted_id = posted.json()["id"]

    async with client_for(registry_app) as http:
        log = await http.get(
            "/v1/audit-log",
            params={"object_type": "space", "object_id": posted_id},
            headers=auth("auditor"),
        )
    assert log.status_code == 200, log.text
    records = [
        r for r in log.json()["items"] if r["method"] == "POST" and r["path"] == "/v1/spaces"
    ]
    assert len(records) == 1, log.json()
    record = records[0]
    assert record["request_id"] == request_id
    assert record["actor_subject"] == "test-admin-via-client"
    assert record["outcome"] == "succeeded"
    assert record["status_code"] == 201


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("service", ["eligibility", "subsidy"])
async def test_services_hold_one_configured_registry_client(make_app, service) -> None:
    app = await make_app(
        service, registry_url="http://registry.internal:9001", http_timeout_seconds=2.5
    )
    client = app.state.registry_client
    assert isinstance(client, ServiceClient)
    assert str(client._client.base_url) == "http://registry.internal:9001"
    assert client._client.timeout.read == 2.5
