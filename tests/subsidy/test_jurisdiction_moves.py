"""A space's move to another jurisdiction (属地变更) reaches the subsidy service: from then on the
new district sees the space's awards, payments and statement, and the old one gets the same 404
as for a space it never had. Both apps are real; the registry's event carries the move."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import client_for, space_body
from tests.subsidy import test_with_registry as both_apps
from tests.subsidy.test_with_registry import _headers, _ok

# The registry app and a subsidy app linked to it, as the cross-service tests have them.
registry_app = both_apps.registry_app
linked = both_apps.linked

OLD, NEW = "620102", "620105"


def _district(app: FastAPI, code: str) -> dict[str, str]:
    token = issue_token(
        app.state.settings, role=Role.DISTRICT_OFFICER, jurisdiction=code, subject=f"d-{code}"
    )
    return {"Authorization": f"Bearer {token}"}


async def _awarded_space(registry_app: FastAPI, subsidy_app: FastAPI, dispatcher: Any) -> dict:
    """A space of 620102, recognised, with an approved award and a tranche instructed."""
    bureau = _headers(registry_app, "city_admin", "bureau-wang")
    async with client_for(registry_app) as registry, client_for(subsidy_app) as subsidy:
        space = await _ok(
            await registry.post(
                "/v1/spaces", json=space_body(jurisdiction_code=OLD), headers=bureau
            ),
            201,
        )
        await _ok(
            await subsidy.post(
                "/v1/budgets/2026/appropriations",
                json={
                    "amount_fen": 50_000_000,
                    "document_no": "兰财教〔2026〕3号",
                    "appropriated_on": "2026-01-10",
                },
                headers=_headers(subsidy_app, "finance_officer", "finance-zhang"),
            ),
            201,
        )
        await _ok(
            await registry.post(
                f"/v1/spaces/{space['id']}/recognition",
                json={"effective_on": "2026-03-02", "document_no": "兰科发〔2026〕31号"},
                headers=_headers(registry_app, "city_admin", "bureau-wang"),
            ),
            201,
        )
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}
        admin = _headers(subsidy_app, "city_admin", "bureau-wang")
        (proposal,) = (await _ok(await subsidy.get("/v1/award-proposals", headers=admin)))["items"]
        award = await _ok(
            await subsidy.post(
                f"/v1/award-proposals/{proposal['id']}/confirmation",
                json={"decision_document_no": "兰科发〔2026〕40号", "decided_on": "2026-03-20"},
                headers=_headers(subsidy_app, "finance_officer", "finance-zhang"),
            ),
            201,
        )
        await _ok(
            await subsidy.post(
                f"/v1/awards/{award['id']}/approval",
                headers=_headers(subsidy_app, "city_admin", "bureau-wang"),
            )
        )
        tranche = await _ok(
            await subsidy.post(
                f"/v1/awards/{award['id']}/disbursements",
                json={
                    "amount_fen": 8_000_000,
                    "payee_name": "兰州某运营公司",
                    "payee_account": "6222 0000 1111",
                },
                headers=_headers(subsidy_app, "finance_officer", "finance-zhang"),
            ),
            201,
        )
        asked = await _ok(
            await subsidy.post(
                "/v1/award-requests",
                json={
                    "space_id": space["id"],
                    "kind": "operating_subsidy",
                    "amount_fen": 1_000_000,
                    "reason": "2026年运营补贴",
                },
                headers=_district(subsidy_app, OLD) | {"Idempotency-Key": str(uuid.uuid4())},
            ),
            201,
        )
    return {
        "space": space["id"],
        "award": award["id"],
        "tranche": tranche["id"],
        "request": asked["id"],
    }


def _paths(ids: dict) -> list[str]:
    return [
        f"/v1/awards/{ids['award']}",
        f"/v1/awards/{ids['award']}/disbursements",
        f"/v1/disbursements/{ids['tranche']}",
        f"/v1/reports/spaces/{ids['space']}/statement",
        f"/v1/award-requests/{ids['request']}",
    ]


def _unknown(ids: dict) -> dict[str, str]:
    """The same paths with ids nobody has."""
    return {
        f"/v1/awards/{ids['award']}": f"/v1/awards/{uuid.uuid4()}",
        f"/v1/awards/{ids['award']}/disbursements": f"/v1/awards/{uuid.uuid4()}/disbursements",
        f"/v1/disbursements/{ids['tranche']}": f"/v1/disbursements/{uuid.uuid4()}",
        f"/v1/reports/spaces/{ids['space']}/statement": (
            f"/v1/reports/spaces/{uuid.uuid4()}/statement"
        ),
        f"/v1/award-requests/{ids['request']}": f"/v1/award-requests/{uuid.uuid4()}",
    }


def _shape(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["type"], body["title"]


async def _listed(subsidy: httpx.AsyncClient, headers: dict[str, str], path: str) -> set[str]:
    return {item["id"] for item in (await _ok(await subsidy.get(path, headers=headers)))["items"]}


async def test_after_a_move_the_new_district_sees_the_money_and_the_old_does_not(
    registry_app, linked
) -> None:
    subsidy_app, dispatcher = linked
    ids = await _awarded_space(registry_app, subsidy_app, dispatcher)
    old, new = _district(subsidy_app, OLD), _district(subsidy_app, NEW)
    async with client_for(registry_app) as registry, client_for(subsidy_app) as subsidy:
        for path in _paths(ids):
            assert (await subsidy.get(path, headers=old)).status_code == 200, path
            assert (await subsidy.get(path, headers=new)).status_code == 404, path

        moved = await registry.post(
            f"/v1/spaces/{ids['space']}/jurisdiction-changes",
            json={
                "jurisdiction_code": NEW,
                "effective_on": "2026-04-01",
                "document_no": "兰科发〔2026〕60号",
                "reason": "行政区划调整",
            },
            headers=_headers(registry_app, "city_admin", "bureau-wang", key=False),
        )
        assert moved.status_code == 201, moved.text
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 1}

        unknown = _unknown(ids)
        for path in _paths(ids):
            assert (await subsidy.get(path, headers=new)).status_code == 200, path
            refused = await subsidy.get(path, headers=old)
            # Exactly what a space the old district never had answers.
            assert _shape(refused) == _shape(await subsidy.get(unknown[path], headers=old)), path
            assert refused.status_code == 404
        statement = await _ok(
            await subsidy.get(f"/v1/reports/spaces/{ids['space']}/statement", headers=new)
        )
        assert statement["jurisdiction_code"] == NEW
        assert ids["award"] in await _listed(subsidy, new, "/v1/awards")
        assert ids["award"] not in await _listed(subsidy, old, "/v1/awards")
        # The award keeps the jurisdiction it was made in: nothing financial is rewritten.
        award = await _ok(await subsidy.get(f"/v1/awards/{ids['award']}", headers=new))
        assert award["jurisdiction_code"] == OLD
        by_jurisdiction = await _ok(
            await subsidy.get("/v1/reports/summary?by=jurisdiction", headers=new)
        )
        assert [row["key"] for row in by_jurisdiction["rows"]] == [NEW]
        nothing = await _ok(await subsidy.get("/v1/reports/summary?by=jurisdiction", headers=old))
        assert nothing["rows"] == []


async def test_a_move_counts_once_and_the_latest_move_wins(registry_app, linked) -> None:
    subsidy_app, dispatcher = linked
    ids = await _awarded_space(registry_app, subsidy_app, dispatcher)
    bureau = _headers(registry_app, "city_admin", "bureau-wang", key=False)
    async with client_for(registry_app) as registry, client_for(subsidy_app) as subsidy:
        for code, day, doc in ((NEW, "2026-04-01", "60"), ("LZXQ", "2026-05-01", "61")):
            moved = await registry.post(
                f"/v1/spaces/{ids['space']}/jurisdiction-changes",
                json={
                    "jurisdiction_code": code,
                    "effective_on": day,
                    "document_no": f"兰科发〔2026〕{doc}号",
                    "reason": "行政区划调整",
                },
                headers=bureau,
            )
            assert moved.status_code == 201, moved.text
        assert (await dispatcher.deliver_once()).delivered == {"subsidy": 2}
        feed = (await registry.get("/v1/events", headers=bureau)).json()["items"]
        first_move = next(item["event"] for item in feed if item["event"]["type"] == "space.moved")
        assert (first_move["from_code"], first_move["to_code"], first_move["move_no"]) == (
            OLD,
            NEW,
            1,
        )
        assert first_move["jurisdiction_code"] == NEW
        # The first move delivered again (by hand) changes nothing: the latest move stands.
        again = await subsidy.post(
            "/v1/events/registry",
            json=first_move,
            headers=_headers(subsidy_app, "city_admin", "bureau-wang"),
        )
        assert again.status_code == 200, again.text
        assert again.json()["duplicate"] is True
        path = f"/v1/awards/{ids['award']}"
        for code, status in (("LZXQ", 200), (OLD, 404), (NEW, 404)):
            seen = await subsidy.get(path, headers=_district(subsidy_app, code))
            assert seen.status_code == status, code


async def test_a_move_event_that_moves_nowhere_is_refused(registry_app, linked) -> None:
    subsidy_app, _ = linked
    event = {
        "type": "space.moved",
        "event_id": str(uuid.uuid4()),
        "occurred_on": "2026-04-01",
        "recorded_at": "2026-04-01T02:00:00Z",
        "space_id": str(uuid.uuid4()),
        "jurisdiction_code": NEW,
        "form": "comprehensive",
        "document_no": "兰科发〔2026〕60号",
        "from_code": NEW,
        "to_code": NEW,
        "move_no": 1,
    }
    async with client_for(subsidy_app) as subsidy:
        for broken in (
            event,
            {**event, "from_code": OLD, "jurisdiction_code": OLD},
            {**event, "from_code": OLD, "move_no": 2**40},
        ):
            refused = await subsidy.post(
                "/v1/events/registry",
                json=broken,
                headers=_headers(subsidy_app, "city_admin", "bureau-wang"),
            )
            assert refused.status_code == 422, refused.text
