"""The registry's events delivered to the real subsidy app: the contract holds end to end."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.registry.events.dispatcher import EventDispatcher
from tests.conftest import client_for, space_body
from tests.registry.test_events import _history_of_acts
from tests.subsidy import test_with_registry as both_apps
from tests.subsidy.test_with_registry import _headers, _ok


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


# The registry app and a subsidy app linked to it, as the cross-service tests have them.
linked = both_apps.linked


async def test_two_failed_years_revoke_and_the_subsidy_does_what_its_rules_say(
    registry_app, linked
) -> None:
    """Revoked for failed assessments: what was not paid is cancelled, and (not being false
    materials) what was paid is not recovered."""
    subsidy_app, dispatcher = linked
    bureau = _headers(registry_app, "city_admin", "bureau-wang", key=False)

    def finance() -> dict[str, str]:
        return _headers(subsidy_app, "finance_officer", "finance-zhang")

    async with client_for(registry_app) as registry, client_for(subsidy_app) as subsidy:
        space = await _ok(await registry.post("/v1/spaces", json=space_body(), headers=bureau), 201)
        path = f"/v1/spaces/{space['id']}"
        await _ok(
            await subsidy.post(
                "/v1/budgets/2026/appropriations",
                json={
                    "amount_fen": 50_000_000,
                    "document_no": "兰财教〔2026〕3号",
                    "appropriated_on": "2026-01-05",
                },
                headers=finance(),
            ),
            201,
        )
        await _ok(
            await registry.post(
                f"{path}/recognition",
                json={"effective_on": "2026-01-10", "document_no": "兰科发〔2026〕3号"},
                headers=bureau,
            ),
            201,
        )
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}
        admin = _headers(subsidy_app, "city_admin", "bureau-wang")
        (proposal,) = (await _ok(await subsidy.get("/v1/award-proposals", headers=admin)))["items"]
        award = await _ok(
            await subsidy.post(
                f"/v1/award-proposals/{proposal['id']}/confirmation",
                json={"decision_document_no": "兰科发〔2026〕5号", "decided_on": "2026-01-15"},
                headers=finance(),
            ),
            201,
        )
        await _ok(await subsidy.post(f"/v1/awards/{award['id']}/approval", headers=admin))
        tranche = await _ok(
            await subsidy.post(
                f"/v1/awards/{award['id']}/disbursements",
                json={
                    "amount_fen": 8_000_000,
                    "payee_name": "兰州某运营公司",
                    "payee_account": "6222 0000 1111",
                },
                headers=finance(),
            ),
            201,
        )
        for step, body in (
            ("sending", {}),
            ("confirmation", {"settled_on": "2026-01-18", "bank_reference": "BK20260118"}),
        ):
            await _ok(
                await subsidy.post(
                    f"/v1/disbursements/{tranche['id']}/{step}", json=body, headers=finance()
                )
            )

        for year, day in ((2024, "2026-01-20"), (2025, "2026-02-10")):
            await _ok(
                await registry.post(
                    f"{path}/assessments",
                    json={
                        "year": year,
                        "grade": "不合格",
                        "document_no": f"兰科发〔2026〕{year - 2000}号",
                        "assessed_on": day,
                    },
                    headers=bureau,
                ),
                201,
            )
        standing = await _ok(await registry.get(f"{path}/standing", headers=bureau))
        assert standing["status"] == "revoked"
        report = await dispatcher.deliver_once()
        # 2024: assessed, rectification ordered; 2025: assessed, revoked.
        assert report.delivered == {"subsidy": 4}, report

        closed = await _ok(await subsidy.get(f"/v1/awards/{award['id']}", headers=admin))
        assert closed["status"] == "cancelled"
        assert closed["paid_fen"] == 8_000_000
        assert (await _ok(await subsidy.get("/v1/recoveries", headers=admin)))["items"] == []
        verified = await _ok(await subsidy.get("/v1/ledger/verification", headers=admin))
        assert verified["intact"] is True
