"""A subsidy app on a fresh database, a registry it talks to that the test controls, tokens,
and a small client that speaks the money API the way the OA system does."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.subsidy.clients.registry import RegistryClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import AppFactory, client_for

STANDING = re.compile(r"^/v1/spaces/([0-9a-f-]{36})/standing$")


@dataclass
class FakeSpace:
    id: uuid.UUID
    name: str
    jurisdiction_code: str
    form: str
    operator_id: uuid.UUID | None
    history: list[tuple[date, str]]
    levels: list[str] = field(default_factory=lambda: ["municipal"])

    def standing(self, as_of: date) -> dict[str, Any] | None:
        current = [(since, status) for since, status in self.history if since <= as_of]
        since, status = current[-1] if current else (date(2015, 1, 1), "applicant")
        return {
            "space_id": str(self.id),
            "name": self.name,
            "jurisdiction_code": self.jurisdiction_code,
            "form": self.form,
            "profile": "tech_startup",
            "operator_id": None if self.operator_id is None else str(self.operator_id),
            "as_of": as_of.isoformat(),
            "status": status,
            "status_since": since.isoformat(),
            "levels": sorted(self.levels) if status != "applicant" else [],
        }


class FakeRegistry:
    """The registry's standing endpoint, answered from what the test sets up."""

    def __init__(self) -> None:
        self.spaces: dict[uuid.UUID, FakeSpace] = {}
        self.down = False
        self.requests: list[httpx.Request] = []

    def add(
        self,
        *,
        status: str = "recognised",
        since: date = date(2025, 6, 1),
        jurisdiction: str = "620102",
        form: str = "comprehensive",
        operator_id: uuid.UUID | None = None,
        levels: list[str] | None = None,
    ) -> FakeSpace:
        space = FakeSpace(
            id=uuid.uuid4(),
            name=f"测试众创空间-{len(self.spaces) + 1}",
            jurisdiction_code=jurisdiction,
            form=form,
            operator_id=operator_id if operator_id is not None else uuid.uuid4(),
            history=[(since, status)],
            levels=levels if levels is not None else ["municipal"],
        )
        self.spaces[space.id] = space
        return space

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        match = STANDING.match(request.url.path)
        space = self.spaces.get(uuid.UUID(match.group(1))) if match else None
        as_of = date.fromisoformat(request.url.params["as_of"]) if match else None
        body = space.standing(as_of) if space is not None and as_of is not None else None
        if body is None:
            return httpx.Response(
                404,
                json={
                    "type": "urn:lzms:problem:space-not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "No space within your jurisdiction",
                },
            )
        return httpx.Response(200, json=body)


@pytest.fixture
def fake_registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
async def subsidy_app(make_app: AppFactory, fake_registry: FakeRegistry) -> AsyncIterator[FastAPI]:
    app: FastAPI = await make_app("subsidy")
    await app.state.registry_client.aclose()
    app.state.registry_client = RegistryClient(
        "registry",
        "http://registry",
        lambda: "service-token",
        retries=1,
        backoff_seconds=0.001,
        transport=httpx.MockTransport(fake_registry.handler),
    )
    yield app
    await app.state.registry_client.aclose()


@pytest.fixture
async def subsidy(subsidy_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(subsidy_app) as client:
        yield client


@pytest.fixture
def auth(subsidy_app: FastAPI) -> Any:
    """Headers for a role: ``auth("finance_officer", sub="li")``; ``key=True`` adds an
    Idempotency-Key (a new one each call), ``key="k1"`` a given one."""
    settings = subsidy_app.state.settings

    def headers(
        role: str,
        jurisdiction: str | None = None,
        *,
        sub: str | None = None,
        key: bool | str = True,
    ) -> dict[str, str]:
        token = issue_token(
            settings,
            role=Role(role),
            jurisdiction=jurisdiction,
            subject=sub or f"test-{role}-{jurisdiction or 'all'}",
        )
        out = {"Authorization": f"Bearer {token}"}
        if key is not False:
            out["Idempotency-Key"] = key if isinstance(key, str) else str(uuid.uuid4())
        return out

    return headers


_documents = itertools.count(1)


def doc(prefix: str = "兰科发") -> str:
    return f"{prefix}〔2026〕{next(_documents)}号"


class Money:
    """The money API as the OA system drives it; each call asserts it succeeded unless told."""

    def __init__(self, client: httpx.AsyncClient, auth: Any, registry: FakeRegistry) -> None:
        self.client = client
        self.auth = auth
        self.registry = registry
        self.preparer = auth("finance_officer", sub="finance-zhang")
        self.approver_sub = "bureau-wang"

    def approver(self) -> dict[str, str]:
        return self.auth("city_admin", sub=self.approver_sub)

    def preparer_headers(self) -> dict[str, str]:
        return self.auth("finance_officer", sub="finance-zhang")

    async def expect(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    async def appropriate(self, amount: int, year: int = 2026) -> dict[str, Any]:
        response = await self.client.post(
            f"/v1/budgets/{year}/appropriations",
            json={
                "amount_fen": amount,
                "document_no": doc("兰财教"),
                "appropriated_on": f"{year}-01-15",
            },
            headers=self.preparer_headers(),
        )
        return await self.expect(response, 201)

    async def award(
        self,
        space: FakeSpace,
        *,
        kind: str = "recognition",
        decided_on: str = "2026-03-02",
        amount: int | None = None,
        approve: bool = True,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "space_id": str(space.id),
            "kind": kind,
            "decision_document_no": doc(),
            "decided_on": decided_on,
        }
        if amount is not None:
            body["amount_fen"] = amount
        award = await self.expect(
            await self.client.post("/v1/awards", json=body, headers=self.preparer_headers()), 201
        )
        if approve:
            award = await self.expect(
                await self.client.post(
                    f"/v1/awards/{award['id']}/approval", headers=self.approver()
                ),
                200,
            )
        return award

    async def instruct(self, award_id: str, amount: int) -> dict[str, Any]:
        response = await self.client.post(
            f"/v1/awards/{award_id}/disbursements",
            json={
                "amount_fen": amount,
                "payee_name": "兰州某运营公司",
                "payee_account": "6222 0000 1111",
            },
            headers=self.preparer_headers(),
        )
        return await self.expect(response, 201)

    async def pay(self, award_id: str, amount: int) -> dict[str, Any]:
        """Instruct, send and confirm one tranche."""
        instruction = await self.instruct(award_id, amount)
        await self.expect(
            await self.client.post(
                f"/v1/disbursements/{instruction['id']}/sending",
                json={},
                headers=self.preparer_headers(),
            ),
            200,
        )
        return await self.expect(
            await self.client.post(
                f"/v1/disbursements/{instruction['id']}/confirmation",
                json={"settled_on": "2026-04-01", "bank_reference": f"BK{uuid.uuid4().hex[:10]}"},
                headers=self.preparer_headers(),
            ),
            200,
        )

    async def revoke(
        self, space: FakeSpace, reason: str = "false_materials", event_id: str | None = None
    ) -> httpx.Response:
        space.history.append((date(2026, 5, 6), "revoked"))
        return await self.client.post(
            "/v1/events/registry",
            json=revocation_event(space, reason, event_id),
            headers=self.auth("service", sub="service:registry", key=False),
        )

    async def account(self, code: str) -> dict[str, Any]:
        response = await self.client.get(
            f"/v1/ledger/accounts/{code}", headers=self.auth("auditor", key=False)
        )
        return await self.expect(response, 200)

    async def verify(self) -> dict[str, Any]:
        response = await self.client.get(
            "/v1/ledger/verification", headers=self.auth("auditor", key=False)
        )
        return await self.expect(response, 200)


def revocation_event(space: FakeSpace, reason: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "space.revoked",
        "event_id": event_id or str(uuid.uuid4()),
        "occurred_on": "2026-05-06",
        "recorded_at": datetime(2026, 5, 6, 2, 0, tzinfo=UTC).isoformat(),
        "space_id": str(space.id),
        "jurisdiction_code": space.jurisdiction_code,
        "form": space.form,
        "document_no": doc("兰科发撤"),
        "reason": reason,
        "legal_basis": "《兰州市众创空间认定管理办法》第二十条",
    }


@pytest.fixture
def money(subsidy: httpx.AsyncClient, auth: Any, fake_registry: FakeRegistry) -> Money:
    return Money(subsidy, auth, fake_registry)
