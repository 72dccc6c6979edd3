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

    async def space(self, teams: int = 0, joined_on: str = "2025-01-10", **overrides: Any) -> str:
        """A space; ten teams in incubation leave C3 needs_review (their business's legality
        is for a person to judge)."""
        response = await self.registry.post(
            "/v1/spaces",
            json=space_body(opened_on="2020-01-06", **overrides),
            headers=self.bureau(),
        )
        assert response.status_code == 201, response.text
        space_id: str = response.json()["id"]
        for index in range(teams):
            team = await self.registry.post(
                f"/v1/spaces/{space_id}/teams",
                headers=self.bureau(),
                json={"name": f"团队{index}", "field": "high_tech", "joined_on": joined_on},
            )
            assert team.status_code == 201, team.text
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

    async def under_review(
        self, experts: tuple[str, ...] = ("expert-a",), space_id: str | None = None
    ) -> dict[str, Any]:
        app = await self.accepted(space_id)
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

    async def approved(
        self, experts: tuple[str, ...] = ("expert-a",), space_id: str | None = None
    ) -> dict[str, Any]:
        app = await self.under_review(experts, space_id)
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


# ---- 复审: experts, their judgements, the joint opinion, the decision


async def test_an_expert_judges_every_needs_review_criterion(procedure) -> None:
    app = await procedure.under_review(space_id=await procedure.space(teams=10))
    assert app["needs_review"] == ["C3"]
    expert = procedure.expert()
    none = await procedure.step(app, "expert-reviews", procedure.review(app, judgements=[]), expert)
    assert none.status_code == 422
    assert "C3" in none.json()["detail"]
    assert none.json()["errors"][0]["field"] == "body.judgements"
    unreasoned = await procedure.step(
        app,
        "expert-reviews",
        procedure.review(app, judgements=[{"criterion": "C3", "judgement": "not_met"}]),
        expert,
    )
    assert unreasoned.status_code == 422
    assert unreasoned.json()["errors"][0]["field"] == "body.judgements[0].reason"
    other = await procedure.step(
        app,
        "expert-reviews",
        procedure.review(
            app,
            judgements=[
                {"criterion": "C3", "judgement": "met"},
                {"criterion": "C4", "judgement": "met"},
            ],
        ),
        expert,
    )
    assert other.status_code == 422
    assert "C4 was not left needs_review" in other.text
    done = await procedure.ok(app, "expert-reviews", procedure.review(app), expert)
    assert done["experts"] == [{"subject": "expert-a", "reviewed": True}]
    twice = await procedure.step(app, "expert-reviews", procedure.review(app), expert)
    assert twice.status_code == 409


async def test_the_decision_waits_for_every_expert_and_the_joint_opinion(procedure) -> None:
    app = await procedure.under_review(("expert-a", "expert-b"), await procedure.space(teams=10))
    await procedure.ok(app, "expert-reviews", procedure.review(app), procedure.expert("expert-a"))
    early = await procedure.step(app, "decision", decision(), procedure.bureau())
    assert early.status_code == 409
    assert early.json()["type"].endswith("application-review-incomplete")
    assert "expert-b" in early.json()["detail"]
    assert "C3" in early.json()["detail"]
    assert "joint review opinion" in early.json()["detail"]
    three = procedure.joint()
    three["units"] = three["units"][:3]
    partial = await procedure.step(app, "joint-opinion", three, procedure.bureau())
    assert partial.status_code == 422
    assert "industry_and_information" in partial.json()["detail"]
    await procedure.ok(app, "joint-opinion", procedure.joint(), procedure.bureau())
    still = await procedure.step(app, "decision", decision(), procedure.bureau())
    assert still.status_code == 409
    assert "joint" not in still.json()["detail"]
    await procedure.ok(app, "expert-reviews", procedure.review(app), procedure.expert("expert-b"))
    future = await procedure.step(
        app, "decision", decision(meeting_date="2099-01-01"), procedure.bureau()
    )
    assert future.status_code == 422
    approved = await procedure.ok(app, "decision", decision(), procedure.bureau())
    assert approved["state"] == "approved"
    assert (approved["decided_on"], approved["minutes_no"]) == (
        "2026-10-20",
        "局务会纪要〔2026〕15号",
    )


async def test_a_rejecting_decision_ends_the_application(procedure) -> None:
    app = await procedure.under_review()
    await procedure.ok(app, "expert-reviews", procedure.review(app), procedure.expert())
    await procedure.ok(app, "joint-opinion", procedure.joint(), procedure.bureau())
    done = await procedure.ok(app, "decision", decision(outcome="rejected"), procedure.bureau())
    assert done["state"] == "rejected"


async def test_an_expert_not_assigned_sees_and_does_nothing(procedure, registry) -> None:
    app = await procedure.under_review()
    stranger = procedure.expert("expert-z")
    review = await procedure.step(app, "expert-reviews", procedure.review(app), stranger)
    unknown = await procedure.step(str(uuid.uuid4()), "expert-reviews", {}, stranger)
    assert review.status_code == 404
    assert unknown.status_code in (404, 422)
    assert (
        await registry.get(f"/v1/applications/{app['id']}", headers=stranger)
    ).status_code == 404
    assert (await registry.get("/v1/applications", headers=stranger)).json()["items"] == []
    # An expert of an earlier round sees the application but no longer reviews it.
    await procedure.ok(
        app, "return", {"opinion": "补充材料", "corrections": ["补充团队名单"]}, procedure.bureau()
    )
    await procedure.ok(app, "submit", {"application_date": APPLIED_ON}, procedure.district())
    await procedure.ok(app, "recommend", {"opinion": "推荐"}, procedure.district())
    await procedure.ok(app, "accept", {"opinion": "受理"}, procedure.bureau())
    await procedure.ok(app, "experts", {"experts": ["expert-b"]}, procedure.bureau())
    earlier = await procedure.step(app, "expert-reviews", procedure.review(app), procedure.expert())
    assert earlier.status_code == 403
    assert "not assigned" in earlier.json()["detail"]


async def test_an_assigned_expert_reads_the_space_while_the_review_lasts(
    procedure, registry
) -> None:
    space = await procedure.space(teams=10)
    expert, stranger = procedure.expert("expert-a"), procedure.expert("expert-z")
    before = await registry.get(f"/v1/spaces/{space}", headers=expert)
    assert before.status_code == 404
    app = await procedure.under_review(("expert-a",), space)
    document = await registry.post(
        f"/v1/spaces/{space}/documents",
        headers=procedure.bureau(),
        json={
            "kind": "other",
            "title": "运营报告",
            "issuer": "运营主体",
            "issued_on": "2026-01-05",
            "supports": ["premises.tenure"],
            "sha256": "A" * 64,
            "size_bytes": 3,
            "media_type": "application/pdf",
            "filename": "report.pdf",
        },
    )
    assert document.status_code == 201, document.text
    reads = [
        f"/v1/spaces/{space}",
        f"/v1/spaces/{space}/facts?as_of=2026-09-01",
        f"/v1/spaces/{space}/documents",
        f"/v1/spaces/{space}/documents/{document.json()['id']}",
        f"/v1/spaces/{space}/teams",
        f"/v1/spaces/{space}/premises",
        f"/v1/spaces/{space}/standing",
    ]
    for path in reads:
        response = await registry.get(path, headers=expert)
        assert response.status_code in (200, 404), (path, response.text)
        if path.endswith("/premises"):
            # Nothing recorded: the section's own 404, not the space's.
            assert response.status_code == 404
            assert "space-not-found" not in response.text
        else:
            assert response.status_code == 200, (path, response.text)
    unknown = await registry.get(f"/v1/spaces/{uuid.uuid4()}", headers=stranger)
    theirs = await registry.get(f"/v1/spaces/{space}", headers=stranger)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["type"] == unknown.json()["type"]
    assert theirs.json()["detail"].replace(space, "?") == unknown.json()["detail"].replace(
        unknown.json()["detail"].split()[2], "?"
    )
    # Lists are no expert's to read, assigned or not.
    assert (await registry.get("/v1/spaces", headers=expert)).status_code == 403
    assert (await registry.get("/v1/spaces/export", headers=expert)).status_code == 403
    # Writing stays the district's and the bureau's.
    write = await registry.post(
        f"/v1/spaces/{space}/teams",
        headers=expert,
        json={"name": "x", "field": "high_tech", "joined_on": "2025-01-10"},
    )
    assert write.status_code == 403
    # The review over, so is the reading.
    await procedure.ok(app, "expert-reviews", procedure.review(app), expert)
    await procedure.ok(app, "joint-opinion", procedure.joint(), procedure.bureau())
    await procedure.ok(app, "decision", decision(), procedure.bureau())
    after = await registry.get(f"/v1/spaces/{space}", headers=expert)
    assert after.status_code == 404


async def test_a_return_for_correction_supersedes_what_was_given_before(
    procedure, registry
) -> None:
    app = await procedure.under_review(space_id=await procedure.space(teams=10))
    await procedure.ok(app, "expert-reviews", procedure.review(app), procedure.expert())
    returned = await procedure.ok(
        app,
        "return",
        {"opinion": "团队名单需补正", "corrections": ["补充入孵团队名单", "补充场地租赁合同"]},
        procedure.bureau(),
    )
    assert (returned["state"], returned["round"], returned["experts"]) == ("draft", 2, [])
    steps = (
        await registry.get(f"/v1/applications/{app['id']}/steps", headers=procedure.bureau())
    ).json()["items"]
    assert [(s["action"], s["superseded"]) for s in steps] == [
        ("create", True),
        ("submit", True),
        ("recommend", True),
        ("accept", True),
        ("assign_experts", True),
        ("expert_review", True),
        ("return", False),
    ]
    assert steps[-1]["details"] == {"corrections": ["补充入孵团队名单", "补充场地租赁合同"]}
    # The superseded expert no longer reads the space; the next submission is judged afresh.
    assert (
        await registry.get(f"/v1/spaces/{app['space_id']}", headers=procedure.expert())
    ).status_code == 404
    again = await procedure.ok(
        app, "submit", {"application_date": "2026-09-15"}, procedure.district()
    )
    assert again["evaluation"]["as_of"] == "2026-09-15"
    assert again["evaluation"]["receipt_id"] != app["evaluation"]["receipt_id"]


async def test_the_re_evaluation_is_shown_beside_the_submissions(procedure) -> None:
    # Ten teams joined after the application date: none counted then, all of them now.
    space = await procedure.space(teams=10, joined_on="2026-10-01")
    app = await procedure.under_review(space_id=space)
    assert app["evaluation"]["conditions"]["C3"] == "not_met"
    assert app["re_evaluation"] is None
    again = await procedure.ok(app, "re-evaluation", None, procedure.bureau())
    re_evaluation = again["re_evaluation"]
    assert re_evaluation["conditions"]["C3"] == "needs_review"
    assert re_evaluation["receipt_id"] != app["evaluation"]["receipt_id"]
    assert {"criterion": "C3", "at_submission": "not_met", "now": "needs_review"} in re_evaluation[
        "changes"
    ]
    assert again["evaluation"] == app["evaluation"]


async def test_each_role_has_its_worklist(procedure, registry) -> None:
    draft = await procedure.draft()
    submitted = await procedure.submitted()
    accepted = await procedure.accepted()
    reviewing = await procedure.under_review(("expert-a",))
    reviewed = await procedure.under_review(("expert-a",))
    await procedure.ok(reviewed, "expert-reviews", procedure.review(reviewed), procedure.expert())

    async def worklist(headers: dict[str, str]) -> set[str]:
        response = await registry.get(
            "/v1/applications", params={"waiting_for": "me"}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {a["id"] for a in response.json()["items"]}

    assert await worklist(procedure.district()) == {draft["id"], submitted["id"]}
    assert await worklist(procedure.auth(*OTHER_DISTRICT)) == set()
    assert await worklist(procedure.bureau()) == {accepted["id"], reviewing["id"], reviewed["id"]}
    assert await worklist(procedure.expert()) == {reviewing["id"]}
    assert await worklist(procedure.expert("expert-z")) == set()


async def test_the_decision_is_an_event_the_subsidy_service_takes_without_effect(
    procedure, registry, make_app
) -> None:
    app = await procedure.approved()
    feed = (await registry.get("/v1/events", headers=procedure.auth("service"))).json()["items"]
    decided = [item["event"] for item in feed if item["event"]["type"] == "application.decided"]
    assert len(decided) == 1
    event = decided[0]
    assert (event["application_id"], event["decision"]) == (app["id"], "approved")
    assert (event["occurred_on"], event["document_no"]) == ("2026-10-20", "局务会纪要〔2026〕15号")
    assert event["space_id"] == app["space_id"]
    subsidy_app = await make_app("subsidy")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=subsidy_app), base_url="http://subsidy"
    ) as subsidy:
        token = issue_token(
            subsidy_app.state.settings, role=Role.SERVICE, subject="service:registry"
        )
        received = await subsidy.post(
            "/v1/events/registry", json=event, headers={"Authorization": f"Bearer {token}"}
        )
    assert received.status_code == 200, received.text
    assert received.json()["outcome"] == "application.decided: no effect on subsidies"
