"""The registry's outbox: events written with the acts, the feed, and delivery to subscribers."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.registry.events.dispatcher import EventDispatcher
from shared.auth.tokens import TokenVerifier
from shared.db import utcnow
from tests.conftest import client_for, space_body
from tests.registry.test_status import assessment, level, recognition, revocation

OWN = "620102"


@dataclass
class Receiver:
    """A subscriber as a test controls it: records what arrives, fails when told to."""

    fail_next: int = 0
    fail_status: int = 500
    received: list[dict[str, Any]] = field(default_factory=list)
    handled: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: list[httpx.Headers] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/events/registry")
        async def receive(request: Request) -> JSONResponse:
            body = await request.json()
            self.received.append(body)
            self.headers.append(httpx.Headers(request.headers))
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse({"detail": "down"}, status_code=self.fail_status)
            # A receiver keyed on event_id: a redelivery has no second effect.
            self.handled.setdefault(body["event_id"], body)
            return JSONResponse({"ok": True}, status_code=202)

        return app


async def _space(registry, auth) -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OWN, opened_on="2024-03-01"),
        headers=auth("district_officer", OWN),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _post(registry, auth, path: str, body: dict, status: int = 201) -> dict:
    response = await registry.post(path, json=body, headers=auth("city_admin"))
    assert response.status_code == status, response.text
    return dict(response.json())


async def _history_of_acts(registry, auth) -> str:
    """A space recognised, given a provincial level, assessed (合格: no consequence) and revoked:
    four events."""
    space = await _space(registry, auth)
    await _post(registry, auth, f"/v1/spaces/{space}/recognition", recognition())
    await _post(registry, auth, f"/v1/spaces/{space}/levels", level())
    await _post(registry, auth, f"/v1/spaces/{space}/assessments", assessment(grade="合格"))
    await _post(registry, auth, f"/v1/spaces/{space}/revocation", revocation())
    return space


async def _feed(registry, auth, query: str = "", role: str = "service") -> dict:
    response = await registry.get(f"/v1/events{query}", headers=auth(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _dispatcher(app: FastAPI, receivers: dict[str, Receiver], clock=utcnow) -> EventDispatcher:
    apps = {name: receiver.app() for name, receiver in receivers.items()}

    class Routed(httpx.AsyncBaseTransport):
        """Each subscriber's base URL host names its fake receiver."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            transport = httpx.ASGITransport(app=apps[request.url.host])
            return await transport.handle_async_request(request)

    settings = app.state.settings.model_copy(
        update={"event_subscribers": {name: f"http://{name}" for name in receivers}}
    )
    original = app.state.settings
    app.state.settings = settings
    try:
        return EventDispatcher.for_app(app, transport=Routed(), clock=clock)
    finally:
        app.state.settings = original


# --- the outbox and the feed -----------------------------------------------------------------


async def test_each_act_writes_its_event_in_order(registry, auth) -> None:
    space = await _history_of_acts(registry, auth)
    feed = await _feed(registry, auth)
    assert [item["sequence"] for item in feed["items"]] == [1, 2, 3, 4]
    assert feed["last_sequence"] == 4
    events = [item["event"] for item in feed["items"]]
    assert [e["type"] for e in events] == [
        "space.recognised",
        "space.level_recorded",
        "space.assessed",
        "space.revoked",
    ]
    assert {e["space_id"] for e in events} == {space}
    assert {e["jurisdiction_code"] for e in events} == {OWN}
    assert {e["form"] for e in events} == {"comprehensive"}
    recognised, levelled, assessed, revoked = events
    assert (recognised["occurred_on"], recognised["document_no"]) == (
        "2024-06-01",
        "兰科发〔2024〕31号",
    )
    assert (levelled["level"], levelled["occurred_on"]) == ("provincial", "2024-09-01")
    assert (assessed["year"], assessed["grade"], assessed["occurred_on"]) == (
        2024,
        "合格",
        "2025-02-10",
    )
    assert (revoked["reason"], revoked["legal_basis"]) == (
        "false_materials",
        "《兰州市众创空间认定管理办法》第二十条",
    )
    assert len({e["event_id"] for e in events}) == 4


async def test_the_feed_pages_by_sequence(registry, auth) -> None:
    await _history_of_acts(registry, auth)
    page = await _feed(registry, auth, "?after=1&limit=2")
    assert [item["sequence"] for item in page["items"]] == [2, 3]
    rest = await _feed(registry, auth, f"?after={page['last_sequence']}")
    assert [item["sequence"] for item in rest["items"]] == [4]
    empty = await _feed(registry, auth, "?after=4")
    assert (empty["items"], empty["last_sequence"]) == ([], None)
    for query, name in (("?after=-1", "query.after"), ("?limit=201", "query.limit")):
        response = await registry.get(f"/v1/events{query}", headers=auth("service"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == name


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("city_admin", 200),
        ("auditor", 200),
        ("service", 200),
        ("district_officer", 403),
        ("finance_officer", 403),
        ("expert", 403),
    ],
)
async def test_who_reads_the_feed(registry, auth, role, status) -> None:
    response = await registry.get(
        "/v1/events", headers=auth(role, OWN if role == "district_officer" else None)
    )
    assert response.status_code == status


async def test_a_refused_act_writes_no_event(registry, auth) -> None:
    space = await _space(registry, auth)
    await _post(registry, auth, f"/v1/spaces/{space}/revocation", revocation(), 409)
    await _post(
        registry,
        auth,
        f"/v1/spaces/{space}/recognition",
        recognition(effective_on="2099-01-01"),
        422,
    )
    await _post(registry, auth, f"/v1/spaces/{space}/levels", level(level="municipal"), 422)
    assert (await _feed(registry, auth))["items"] == []


# --- delivery ---------------------------------------------------------------------------------


async def test_a_pass_delivers_every_event_in_order_with_a_service_token(
    registry_app, registry, auth
) -> None:
    await _history_of_acts(registry, auth)
    subsidy = Receiver()
    dispatcher = _dispatcher(registry_app, {"subsidy": subsidy})
    try:
        report = await dispatcher.deliver_once()
        assert report.delivered == {"subsidy": 4}
        feed = await _feed(registry, auth)
        assert subsidy.received == [item["event"] for item in feed["items"]]
        verifier = TokenVerifier(registry_app.state.settings)
        for body, headers in zip(subsidy.received, subsidy.headers, strict=True):
            assert headers["idempotency-key"] == body["event_id"]
            scheme, _, token = headers["authorization"].partition(" ")
            assert scheme == "Bearer"
            principal = await verifier.verify(token)
            assert (principal.role.value, principal.subject) == ("service", "service:registry")
        # Nothing new: the next pass sends nothing.
        assert (await dispatcher.deliver_once()).delivered == {}
        assert len(subsidy.received) == 4
        # A new act is delivered on the next pass, and only it.
        space = subsidy.received[0]["space_id"]
        await _post(
            registry,
            auth,
            f"/v1/spaces/{space}/levels",
            level(level="national_filing", document_no="国科火字1号"),
        )
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}
        assert subsidy.received[-1]["type"] == "space.level_recorded"
        assert len(subsidy.received) == 5
    finally:
        await dispatcher.aclose()


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


async def test_a_failing_receiver_gets_the_same_events_again_after_backoff(
    registry_app, registry, auth
) -> None:
    await _history_of_acts(registry, auth)
    subsidy = Receiver(fail_next=2, fail_status=503)
    clock = Clock()
    dispatcher = _dispatcher(registry_app, {"subsidy": subsidy}, clock=clock)
    try:
        first = await dispatcher.deliver_once()
        assert first.delivered == {}
        assert "503" in first.failed["subsidy"]
        # Ordered: after the first event failed, nothing later was tried.
        assert [body["type"] for body in subsidy.received] == ["space.recognised"]
        # Before the backoff has passed the subscriber is left alone.
        waiting = await dispatcher.deliver_once()
        assert "subsidy" in waiting.waiting
        assert len(subsidy.received) == 1
        clock.now += timedelta(seconds=2)  # the first retry waits event_retry_seconds (2 s)
        second = await dispatcher.deliver_once()
        assert "subsidy" in second.failed
        clock.now += timedelta(seconds=3)  # the second waits twice as long: not yet
        assert "subsidy" in (await dispatcher.deliver_once()).waiting
        clock.now += timedelta(seconds=1)
        recovered = await dispatcher.deliver_once()
        assert recovered.delivered == {"subsidy": 4}
        types = [body["type"] for body in subsidy.received]
        assert types == [
            "space.recognised",
            "space.recognised",
            "space.recognised",
            "space.level_recorded",
            "space.assessed",
            "space.revoked",
        ]
        # The same event id each time, so the receiver acted on each event once.
        assert len({body["event_id"] for body in subsidy.received[:3]}) == 1
        assert len(subsidy.handled) == 4
    finally:
        await dispatcher.aclose()


async def test_an_unacknowledged_delivery_is_redelivered(registry_app, registry, auth) -> None:
    """The receiver handled the event but its answer was lost: it comes again, same id."""
    await _history_of_acts(registry, auth)
    subsidy = Receiver()
    clock = Clock()
    dispatcher = _dispatcher(registry_app, {"subsidy": subsidy}, clock=clock)
    try:
        await dispatcher.deliver_once()
        first_id = subsidy.received[0]["event_id"]
        await registry.post(
            f"/v1/spaces/{subsidy.received[0]['space_id']}/levels",
            json=level(level="national_filing", document_no="国科火字1号"),
            headers=auth("city_admin"),
        )
        subsidy.fail_next, subsidy.fail_status = 1, 404
        assert "subsidy" in (await dispatcher.deliver_once()).failed
        clock.now += timedelta(minutes=10)
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}
        assert subsidy.received[-1]["event_id"] == subsidy.received[-2]["event_id"]
        assert subsidy.received[-1]["event_id"] != first_id
        assert len(subsidy.handled) == 5
    finally:
        await dispatcher.aclose()


async def test_subscribers_progress_independently(registry_app, registry, auth) -> None:
    await _history_of_acts(registry, auth)
    subsidy, archive = Receiver(), Receiver(fail_next=1)
    dispatcher = _dispatcher(registry_app, {"subsidy": subsidy, "archive": archive})
    try:
        report = await dispatcher.deliver_once()
        assert report.delivered == {"subsidy": 4}
        assert set(report.failed) == {"archive"}
        assert len(subsidy.handled) == 4
        assert archive.handled == {}
    finally:
        await dispatcher.aclose()


async def test_an_unreachable_subscriber_is_a_recorded_failure(
    registry_app, registry, auth
) -> None:
    await _history_of_acts(registry, auth)

    class Down(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

    settings = registry_app.state.settings.model_copy(
        update={"event_subscribers": {"subsidy": "http://127.0.0.1:9"}}
    )
    original, registry_app.state.settings = registry_app.state.settings, settings
    try:
        dispatcher = EventDispatcher.for_app(registry_app, transport=Down())
    finally:
        registry_app.state.settings = original
    try:
        report = await dispatcher.deliver_once()
        assert "could not be reached" in report.failed["subsidy"]
    finally:
        await dispatcher.aclose()


async def test_the_registry_app_runs_the_dispatcher(databases, backend) -> None:
    from services.registry.app import create_app
    from services.registry.config import RegistrySettings
    from shared.auth import Role
    from shared.auth.tokens import issue_token

    url = await asyncio.to_thread(databases.migrated, "registry", backend)
    subsidy = Receiver()
    settings = RegistrySettings(
        database_url=url,
        env="test",
        event_subscribers={"subsidy": "http://subsidy.test"},
        event_poll_seconds=0.05,
    )
    app = create_app(settings, event_transport=httpx.ASGITransport(app=subsidy.app()))
    context = app.router.lifespan_context(app)
    await context.__aenter__()
    try:
        token = issue_token(settings, role=Role.CITY_ADMIN, subject="bureau")
        headers = {"Authorization": f"Bearer {token}"}
        async with client_for(app) as client:
            created = await client.post(
                "/v1/spaces", json=space_body(opened_on="2024-03-01"), headers=headers
            )
            space = created.json()["id"]
            response = await client.post(
                f"/v1/spaces/{space}/recognition", json=recognition(), headers=headers
            )
            assert response.status_code == 201
        for _ in range(100):
            if subsidy.handled:
                break
            await asyncio.sleep(0.05)
        [event] = subsidy.handled.values()
        assert (event["type"], event["space_id"]) == ("space.recognised", space)
    finally:
        await context.__aexit__(None, None, None)
    assert uuid.UUID(event["event_id"])


async def test_delivery_progress_per_subscriber(make_app, auth) -> None:
    # A long poll interval: the app's own dispatcher runs one (empty) pass at start and then
    # leaves the delivery to the test's.
    app = await make_app(
        "registry", event_subscribers={"subsidy": "http://subsidy"}, event_poll_seconds=3600
    )
    settings = app.state.settings
    from shared.auth import Role
    from shared.auth.tokens import issue_token

    def headers(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(settings, role=role, subject='t')}"}

    subsidy = Receiver(fail_next=1)
    async with client_for(app) as client:
        space = (
            await client.post(
                "/v1/spaces",
                json=space_body(opened_on="2024-03-01"),
                headers=headers(Role.CITY_ADMIN),
            )
        ).json()["id"]
        for path, body in (("recognition", recognition()), ("levels", level())):
            response = await client.post(
                f"/v1/spaces/{space}/{path}", json=body, headers=headers(Role.CITY_ADMIN)
            )
            assert response.status_code == 201
        dispatcher = EventDispatcher.for_app(app, transport=httpx.ASGITransport(app=subsidy.app()))
        try:
            await dispatcher.deliver_once()
            [stuck] = (
                await client.get("/v1/events/subscribers", headers=headers(Role.AUDITOR))
            ).json()
            assert (stuck["subscriber"], stuck["delivered_through"], stuck["pending"]) == (
                "subsidy",
                0,
                2,
            )
            assert stuck["failures"] == 1
            assert "500" in stuck["last_error"]
            assert stuck["next_attempt_at"] is not None
            # The bureau can see it; a district cannot.
            district = await client.get(
                "/v1/events/subscribers",
                headers={
                    "Authorization": "Bearer "
                    + issue_token(
                        settings, role=Role.DISTRICT_OFFICER, subject="d", jurisdiction=OWN
                    )
                },
            )
            assert district.status_code == 403
        finally:
            await dispatcher.aclose()


async def test_concurrent_acts_get_gapless_sequences_in_commit_order(registry, auth) -> None:
    spaces = [await _space(registry, auth) for _ in range(8)]

    async def recognise(space: str) -> int:
        response = await registry.post(
            f"/v1/spaces/{space}/recognition", json=recognition(), headers=auth("city_admin")
        )
        return response.status_code

    statuses = await asyncio.gather(*(recognise(space) for space in spaces))
    assert statuses == [201] * 8
    feed = await _feed(registry, auth)
    assert [item["sequence"] for item in feed["items"]] == list(range(1, 9))
    assert {item["event"]["space_id"] for item in feed["items"]} == set(spaces)
    # The same act raced on one space: one is recorded, the others see its result.
    racing = await asyncio.gather(*(recognise(spaces[0]) for _ in range(4)))
    assert sorted(racing) == [409, 409, 409, 409]
    contested = await _space(registry, auth)
    racing = await asyncio.gather(*(recognise(contested) for _ in range(4)))
    assert sorted(racing) == [201, 409, 409, 409]
    assert [item["sequence"] for item in (await _feed(registry, auth))["items"]] == list(
        range(1, 10)
    )
