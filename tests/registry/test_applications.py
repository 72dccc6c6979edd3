"""The recognition procedure through the HTTP API, with the real eligibility app in process."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.registry.clients.eligibility import EligibilityClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import space_body

DISTRICT = ("district_officer", "620102")
OTHER_DISTRICT = ("district_officer", "620103")
APPLIED_ON = "2026-09-01"
UNITS = [
    "science_and_technology",
    "development_and_reform",
    "human_resources",
    "industry_and_information",
]


@pytest.fixture
async def wired(make_app, registry_app):
    """The registry's eligibility client talks to a real eligibility app in process."""
    eligibility_app = await make_app("eligibility")
    token = issue_token(
        eligibility_app.state.settings, role=Role.SERVICE, subject="service:registry"
    )
    client = EligibilityClient(
        "eligibility",
        "http://eligibility",
        lambda: token,
        transport=httpx.ASGITransport(app=eligibility_app),
    )
    await registry_app.state.eligibility_client.aclose()
    registry_app.state.eligibility_client = client
    yield eligibility_app
    await client.aclose()


class Procedure:
    """Steps of the procedure as the callers take them; each asserts its own success."""

    def __init__(self, registry: httpx.AsyncClient, auth: Any) -> None:
        self.registry = registry
        self.auth = auth

    def district(self) -> dict[str, str]:
        return self.auth(*DISTRICT)

    def bureau(self) -> dict[str, str]:
        return self.auth("city_admin")

    def expert(self, name: str = "expert-a") -> dict[str, str]:
        return self.auth("expert", sub=name)

    async def space(self, **overrides: Any) -> str:
        response = await self.registry.post(
            "/v1/spaces",
            json=space_body(opened_on="2020-01-06", **overrides),
            headers=self.bureau(),
        )
        assert response.status_code == 201, response.text
        space_id: str = response.json()["id"]
        return space_id

    async def post(
        self, path: str, body: Any, headers: dict[str, str], expect: int = 200
    ) -> dict[str, Any]:
        response = await self.registry.post(path, json=body, headers=headers)
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result

    async def draft(self, space_id: str | None = None) -> dict[str, Any]:
        space_id = space_id or await self.space()
        return await self.post(
            "/v1/applications", {"space_id": space_id}, self.district(), expect=201
        )

    async def step(
        self, application: dict[str, Any] | str, action: str, body: Any, headers: dict[str, str]
    ) -> httpx.Response:
        app_id = application if isinstance(application, str) else application["id"]
        return await self.registry.post(
            f"/v1/applications/{app_id}/{action}", json=body, headers=headers
        )

    async def ok(
        self, application: dict[str, Any] | str, action: str, body: Any, headers: dict[str, str]
    ) -> dict[str, Any]:
        response = await self.step(application, action, body, headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def submitted(self, space_id: str | None = None) -> dict[str, Any]:
        app = await self.draft(space_id)
        return await self.ok(app, "submit", {"application_date": APPLIED_ON}, self.district())

    async def accepted(self, space_id: str | None = None) -> dict[str, Any]:
        app = await self.submitted(space_id)
        await self.ok(app, "recommend", {"opinion": "材料齐全，推荐认定"}, self.district())
        return await self.ok(app, "accept", {"opinion": "予以受理"}, self.bureau())

    async def under_review(self, experts: tuple[str, ...] = ("expert-a",)) -> dict[str, Any]:
        app = await self.accepted()
        return await self.ok(
            app, "experts", {"experts": list(experts), "document_no": "兰科函〔2026〕8号"},
            self.bureau(),
        )  # fmt: skip

    def review(self, app: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        body = {
            "inspected_on": "2026-10-10",
            "findings": "场地、设施与申报一致",
            "opinion": "建议认定",
            "judgements": [
                {"criterion": c, "judgement": "met", "reason": "现场核实"}
                for c in app["needs_review"]
            ],
        }
        body.update(overrides)
        return body

    def joint(self) -> dict[str, Any]:
        return {
            "units": [{"unit": unit, "view": "同意"} for unit in UNITS],
            "opinion": "联合评审通过",
            "document_no": "兰科复审〔2026〕3号",
        }

    async def approved(self, experts: tuple[str, ...] = ("expert-a",)) -> dict[str, Any]:
        app = await self.under_review(experts)
        for expert in experts:
            await self.ok(app, "expert-reviews", self.review(app), self.expert(expert))
        await self.ok(app, "joint-opinion", self.joint(), self.bureau())
        return await self.ok(app, "decision", decision(), self.bureau())


def decision(**overrides: Any) -> dict[str, Any]:
    body = {
        "outcome": "approved",
        "meeting_date": "2026-10-20",
        "minutes_no": "局务会纪要〔2026〕15号",
        "opinion": "同意认定",
    }
    body.update(overrides)
    return body


@pytest.fixture
def procedure(wired, registry, auth) -> Procedure:
    return Procedure(registry, auth)


async def test_submission_keeps_the_eligibility_receipt(procedure, wired) -> None:
    app = await procedure.submitted()
    assert app["state"] == "submitted"
    assert app["application_date"] == APPLIED_ON
    evaluation = app["evaluation"]
    assert evaluation["as_of"] == APPLIED_ON
    assert evaluation["ruleset_id"] == "lz-measures-2018"
    assert evaluation["verdict"] in {"not_eligible", "incomplete", "needs_review", "eligible"}
    assert set(evaluation["conditions"]) >= {f"C{n}" for n in range(1, 10)}
    assert app["needs_review"] == [
        c for c, v in evaluation["conditions"].items() if v == "needs_review"
    ]
    # The receipt is the eligibility service's own, with the same ruleset hash.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=wired), base_url="http://eligibility"
    ) as eligibility:
        receipt = await eligibility.get(
            f"/v1/evaluations/{evaluation['receipt_id']}", headers=procedure.bureau()
        )
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["decision"]["ruleset"]["content_hash"] == evaluation["ruleset_hash"]
    assert receipt.json()["facts"]["as_of"] == APPLIED_ON


async def test_steps_record_who_when_and_why(procedure, registry) -> None:
    app = await procedure.accepted()
    steps = (
        await registry.get(f"/v1/applications/{app['id']}/steps", headers=procedure.bureau())
    ).json()["items"]
    assert [(s["action"], s["from_state"], s["to_state"]) for s in steps] == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
        ("recommend", "submitted", "recommended"),
        ("accept", "recommended", "accepted"),
    ]
    recommend = steps[2]
    assert recommend["actor_subject"] == "test-district_officer-620102"
    assert recommend["actor_role"] == "district_officer"
    assert recommend["opinion"] == "材料齐全，推荐认定"
    assert steps[1]["effective_on"] == APPLIED_ON
    assert steps[3]["actor_role"] == "city_admin"
    assert not any(s["superseded"] for s in steps)


async def test_the_eligibility_service_unreachable_is_a_503_and_nothing_changes(
    procedure, registry_app, registry
) -> None:
    app = await procedure.draft()
    await registry_app.state.eligibility_client.aclose()
    registry_app.state.eligibility_client = EligibilityClient(
        "eligibility", "http://127.0.0.1:9", lambda: "token", retries=0, timeout_seconds=1
    )
    response = await procedure.step(
        app, "submit", {"application_date": APPLIED_ON}, procedure.district()
    )
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    after = (await registry.get(f"/v1/applications/{app['id']}", headers=procedure.bureau())).json()
    assert after["state"] == "draft"
    assert after["evaluation"] is None


async def test_a_step_out_of_order_is_a_409_naming_state_and_allowed_steps(procedure) -> None:
    app = await procedure.draft()
    response = await procedure.step(app, "recommend", {"opinion": "推荐"}, procedure.district())
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["current_state"] == "draft"
    assert any(a.startswith("submit (district_officer)") for a in problem["allowed_actions"])
    assert "draft" in problem["detail"]


async def test_a_step_twice_is_a_409(procedure) -> None:
    app = await procedure.submitted()
    await procedure.ok(app, "recommend", {"opinion": "推荐"}, procedure.district())
    again = await procedure.step(app, "recommend", {"opinion": "推荐"}, procedure.district())
    assert again.status_code == 409
    assert again.json()["current_state"] == "recommended"


async def test_the_wrong_role_is_a_403(procedure) -> None:
    app = await procedure.submitted()
    # 受理 is the bureau's; 初审 the district's; a return in 初审 is the district's too.
    assert (
        await procedure.step(app, "accept", {"opinion": "x"}, procedure.district())
    ).status_code == 403
    assert (
        await procedure.step(app, "recommend", {"opinion": "x"}, procedure.bureau())
    ).status_code == 403
    returned = await procedure.step(
        app, "return", {"opinion": "x", "corrections": ["补租赁合同"]}, procedure.bureau()
    )
    assert returned.status_code == 403
    assert "district_officer" in returned.json()["detail"]
    auditor = await procedure.step(app, "recommend", {"opinion": "x"}, procedure.auth("auditor"))
    assert auditor.status_code == 403


async def test_another_districts_application_is_the_same_404_as_an_unknown_one(
    procedure, registry
) -> None:
    app = await procedure.submitted()
    other = procedure.auth(*OTHER_DISTRICT)
    theirs = await procedure.step(app, "recommend", {"opinion": "x"}, other)
    unknown = await procedure.step(str(uuid.uuid4()), "recommend", {"opinion": "x"}, other)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["type"] == unknown.json()["type"]
    read = await registry.get(f"/v1/applications/{app['id']}", headers=other)
    assert read.status_code == 404
    listed = await registry.get("/v1/applications", headers=other)
    assert listed.json()["items"] == []
    own = await registry.get("/v1/applications", headers=procedure.district())
    assert [a["id"] for a in own.json()["items"]] == [app["id"]]


async def test_another_districts_space_cannot_be_filed(procedure) -> None:
    space = await procedure.space(jurisdiction_code="620103")
    response = await procedure.registry.post(
        "/v1/applications", json={"space_id": space}, headers=procedure.district()
    )
    assert response.status_code == 404


async def test_one_open_application_per_space_and_a_new_one_after_withdrawal(
    procedure, registry
) -> None:
    app = await procedure.submitted()
    second = await registry.post(
        "/v1/applications", json={"space_id": app["space_id"]}, headers=procedure.district()
    )
    assert second.status_code == 409
    assert second.json()["application_id"] == app["id"]
    withdrawn = await procedure.ok(
        app, "withdraw", {"opinion": "运营主体申请撤回"}, procedure.district()
    )
    assert withdrawn["state"] == "withdrawn"
    assert withdrawn["allowed_actions"] == []
    again = await procedure.draft(app["space_id"])
    assert again["id"] != app["id"]
    # The withdrawn one keeps its history.
    steps = (
        await registry.get(f"/v1/applications/{app['id']}/steps", headers=procedure.bureau())
    ).json()["items"]
    assert [s["action"] for s in steps] == ["create", "submit", "withdraw"]


async def test_no_withdrawal_after_the_decision(procedure) -> None:
    app = await procedure.approved()
    response = await procedure.step(app, "withdraw", {"opinion": "撤回"}, procedure.district())
    assert response.status_code == 409
    assert response.json()["current_state"] == "approved"


async def test_preliminary_rejection_and_refusal_end_the_application(procedure) -> None:
    rejected = await procedure.submitted()
    done = await procedure.ok(rejected, "reject", {"opinion": "不符合条件"}, procedure.district())
    assert done["state"] == "rejected"
    refused = await procedure.submitted()
    await procedure.ok(refused, "recommend", {"opinion": "推荐"}, procedure.district())
    done = await procedure.ok(
        refused, "refuse", {"opinion": "材料不全，不予受理"}, procedure.bureau()
    )
    assert done["state"] == "rejected"


async def test_the_list_filters_by_state_space_and_date(procedure, registry) -> None:
    submitted = await procedure.submitted()
    draft = await procedure.draft()
    bureau = procedure.bureau()

    async def ids(**params: Any) -> list[str]:
        response = await registry.get("/v1/applications", params=params, headers=bureau)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert await ids(state="draft") == [draft["id"]]
    assert await ids(space_id=submitted["space_id"]) == [submitted["id"]]
    assert await ids(date_from=APPLIED_ON, date_to=APPLIED_ON) == [submitted["id"]]
    assert await ids(date_from="2026-09-02") == []
    assert await ids(jurisdiction_code="620103") == []
    assert await ids(limit=1) == [submitted["id"]]
    bad = await registry.get("/v1/applications", params={"state": "nonsense"}, headers=bureau)
    assert bad.status_code == 422
