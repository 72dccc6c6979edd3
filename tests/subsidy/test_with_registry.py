"""The subsidy service with the real registry: its standing decides awards, its events propose
them and open recovery cases."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.events.dispatcher import EventDispatcher
from services.subsidy.clients.registry import RegistryClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import AppFactory, client_for, space_body


@pytest.fixture
async def registry_app(make_app: AppFactory) -> FastAPI:
    app: FastAPI = await make_app("registry")
    return app


@pytest.fixture
async def linked(make_app: AppFactory, registry_app: FastAPI) -> Any:
    """A subsidy app whose registry client calls ``registry_app``, and a dispatcher that
    delivers the registry's events to it."""
    subsidy: FastAPI = await make_app("subsidy")
    await subsidy.state.registry_client.aclose()
    token = issue_token(registry_app.state.settings, role=Role.SERVICE, subject="service:subsidy")
    subsidy.state.registry_client = RegistryClient(
        "registry",
        "http://registry",
        lambda: token,
        transport=httpx.ASGITransport(app=registry_app),
    )
    settings = registry_app.state.settings.model_copy(
        update={"event_subscribers": {"subsidy": "http://subsidy"}}
    )
    original, registry_app.state.settings = registry_app.state.settings, settings
    try:
        dispatcher = EventDispatcher.for_app(
            registry_app, transport=httpx.ASGITransport(app=subsidy)
        )
    finally:
        registry_app.state.settings = original
    yield subsidy, dispatcher
    await dispatcher.aclose()
    await subsidy.state.registry_client.aclose()


def _headers(app: FastAPI, role: str, sub: str, key: bool = True) -> dict[str, str]:
    token = issue_token(app.state.settings, role=Role(role), subject=sub)
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_from_recognition_to_recovery_across_both_services(registry_app, linked) -> None:
    subsidy_app, dispatcher = linked
    bureau = _headers(registry_app, "city_admin", "bureau-wang")

    def finance() -> dict[str, str]:
        return _headers(subsidy_app, "finance_officer", "finance-zhang")

    def approver() -> dict[str, str]:
        return _headers(subsidy_app, "city_admin", "bureau-wang")

    async with client_for(registry_app) as registry, client_for(subsidy_app) as subsidy:
        space = await _ok(await registry.post("/v1/spaces", json=space_body(), headers=bureau), 201)
        # Not recognised yet: the registry's answer refuses the award.
        await _ok(
            await subsidy.post(
                "/v1/budgets/2026/appropriations",
                json={
                    "amount_fen": 50_000_000,
                    "document_no": "兰财教〔2026〕3号",
                    "appropriated_on": "2026-01-10",
                },
                headers=finance(),
            ),
            201,
        )
        early = await subsidy.post(
            "/v1/awards",
            json={
                "space_id": space["id"],
                "kind": "recognition",
                "decision_document_no": "兰科发〔2026〕30号",
                "decided_on": "2026-09-01",
            },
            headers=finance(),
        )
        assert early.status_code == 409, early.text
        assert "'applicant'" in early.json()["detail"]

        await _ok(
            await registry.post(
                f"/v1/spaces/{space['id']}/recognition",
                json={"effective_on": "2026-09-15", "document_no": "兰科发〔2026〕31号"},
                headers=_headers(registry_app, "city_admin", "bureau-wang"),
            ),
            201,
        )
        report = await dispatcher.deliver_once()
        assert report.delivered == {"subsidy": 1}, report
        (proposal,) = (await _ok(await subsidy.get("/v1/award-proposals", headers=approver())))[
            "items"
        ]
        assert (proposal["kind"], proposal["amount_fen"]) == ("recognition", 20_000_000)
        award = await _ok(
            await subsidy.post(
                f"/v1/award-proposals/{proposal['id']}/confirmation",
                json={"decision_document_no": "兰科发〔2026〕40号", "decided_on": "2026-09-20"},
                headers=finance(),
            ),
            201,
        )
        await _ok(await subsidy.post(f"/v1/awards/{award['id']}/approval", headers=approver()))
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
        await _ok(
            await subsidy.post(
                f"/v1/disbursements/{tranche['id']}/sending", json={}, headers=finance()
            )
        )
        await _ok(
            await subsidy.post(
                f"/v1/disbursements/{tranche['id']}/confirmation",
                json={"settled_on": "2026-10-08", "bank_reference": "BK20261008"},
                headers=finance(),
            )
        )

        await _ok(
            await registry.post(
                f"/v1/spaces/{space['id']}/revocation",
                json={
                    "effective_on": "2026-11-02",
                    "document_no": "兰科发〔2026〕55号",
                    "reason": "false_materials",
                    "legal_basis": "《办法》第二十条",
                },
                headers=_headers(registry_app, "city_admin", "bureau-wang"),
            ),
            201,
        )
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}
        (case,) = (await _ok(await subsidy.get("/v1/recoveries", headers=approver())))["items"]
        assert case["ground"] == "false_materials"
        assert case["outstanding_fen"] == 8_000_000
        assert case["document_no"] == "兰科发〔2026〕55号"
        closed = await _ok(await subsidy.get(f"/v1/awards/{award['id']}", headers=approver()))
        assert closed["status"] == "cancelled"
        # Revoked now: nothing more is instructed.
        refused = await subsidy.post(
            f"/v1/awards/{award['id']}/disbursements",
            json={"amount_fen": 1, "payee_name": "x", "payee_account": "6222 0000"},
            headers=finance(),
        )
        assert refused.status_code == 409
        verified = await _ok(await subsidy.get("/v1/ledger/verification", headers=approver()))
        assert verified["intact"] is True
