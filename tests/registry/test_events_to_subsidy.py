"""The registry's events delivered to the real subsidy app: the contract holds end to end."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.registry.events.dispatcher import EventDispatcher
from tests.registry.test_events import _history_of_acts


async def test_the_subsidy_service_acknowledges_every_event_once(
    make_app, registry_app, registry, auth
) -> None:
    subsidy: FastAPI = await make_app("subsidy")
    await _history_of_acts(registry, auth)
    seen: list[tuple[str, int, dict]] = []

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.ASGITransport(app=subsidy)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            await response.aread()
            seen.append((request.headers["idempotency-key"], response.status_code, response.json()))
            return response

    settings = registry_app.state.settings.model_copy(
        update={"event_subscribers": {"subsidy": "http://subsidy"}}
    )
    original, registry_app.state.settings = registry_app.state.settings, settings
    try:
        dispatcher = EventDispatcher.for_app(registry_app, transport=Recording())
    finally:
        registry_app.state.settings = original
    try:
        report = await dispatcher.deliver_once()
    finally:
        await dispatcher.aclose()
    assert report.failed == {}, (report.failed, seen)
    assert report.delivered == {"subsidy": 4}
    assert all(200 <= status < 300 for _, status, _ in seen), seen
    assert [body["duplicate"] for _, _, body in seen] == [False] * 4

    # A redelivery (the registry lost the acknowledgement) has no second effect.
    event_id = seen[0][0]
    feed = (await registry.get("/v1/events", headers=auth("service"))).json()["items"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=subsidy), base_url="http://subsidy"
    ) as client:
        again = await client.post(
            "/v1/events/registry",
            json=feed[0]["event"],
            headers={
                "Authorization": f"Bearer {registry_app.state.service_token.token()}",
                "Idempotency-Key": event_id,
            },
        )
    assert again.status_code in (200, 202), again.text
    # Either the platform replays the first answer (same caller and Idempotency-Key) or the
    # receiver finds the event id it has handled: no second effect either way.
    assert again.headers.get("idempotent-replayed") == "true" or again.json()["duplicate"]
    assert again.json()["event_id"] == event_id
