"""The recognition procedure through the HTTP API, with the real eligibility app in process."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from services.registry.clients.eligibility import EligibilityClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.timezone import today_in_china
from tests.conftest import space_body

_DATED = {
    "recommend",
    "reject",
    "accept",
    "refuse",
    "return",
    "experts",
    "joint-opinion",
    "withdraw",
}
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
        # The last date of legal meaning used for each application: a step sent without one
        # is dated the day after, so that steps are dated in order, in the past.
        self.last: dict[str, date] = {}

    def _dated(self, app_id: str, action: str, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        body = dict(body)
        following = self.last.get(app_id, date.fromisoformat(APPLIED_ON)) + timedelta(days=1)
        if action == "submit" and app_id in self.last:
            body.setdefault("application_date", following.isoformat())
        elif action in _DATED and "effective_on" not in body:
            body["effective_on"] = following.isoformat()
        return body

    def _took(self, app_id: str, body: Any) -> None:
        """Remember the date of a step taken."""
        for key in ("application_date", "effective_on", "inspected_on", "meeting_date"):
            if isinstance(body, dict) and key in body:
                day = date.fromisoformat(body[key])
                self.last[app_id] = max(self.last.get(app_id, date.min), day)

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
        body = self._dated(app_id, action, body)
        response = await self.registry.post(
            f"/v1/applications/{app_id}/{action}", json=body, headers=headers
        )
        if response.is_success:
            self._took(app_id, body)
        return response

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
    await procedure.ok(app, "submit", {}, procedure.district())
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
        app, "submit", {"application_date": "2026-10-20"}, procedure.district()
    )
    assert again["evaluation"]["as_of"] == "2026-10-20"
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


# ---- 公示, 异议, 认定

NOTICE_START = "2026-11-02"  # a Monday: 11-02 to 11-06 are the five working days


async def _publicity(procedure, apps, starts_on: str = NOTICE_START, expect: int = 201) -> dict:
    return await procedure.post(
        "/v1/publicity-notices",
        {
            "notice_no": f"兰科公示〔2026〕{uuid.uuid4().hex[:6]}号",
            "starts_on": starts_on,
            "application_ids": [app["id"] for app in apps],
        },
        procedure.bureau(),
        expect=expect,
    )


def _recognition(apps, **overrides: Any) -> dict[str, Any]:
    body = {
        "application_ids": [app["id"] for app in apps],
        "document_no": f"兰科发〔2026〕{uuid.uuid4().hex[:6]}号",
        "announced_on": today_in_china().isoformat(),
        "reason": "经初审、复审、局务会审定并公示无异议，认定为市级众创空间",
    }
    body.update(overrides)
    return body


async def _read(procedure, app) -> dict[str, Any]:
    response = await procedure.registry.get(
        f"/v1/applications/{app['id']}", headers=procedure.bureau()
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_the_whole_procedure_end_to_end(procedure, registry) -> None:
    space = await procedure.space(teams=10)
    app = await procedure.approved(space_id=space)
    notice = await _publicity(procedure, [app])
    assert (notice["starts_on"], notice["ends_on"], notice["working_days"]) == (
        NOTICE_START,
        "2026-11-06",
        5,
    )
    assert notice["calendar_versions"] == {"2026": 1} or notice["calendar_versions"]
    shown = await _read(procedure, app)
    assert shown["state"] == "in_publicity"
    assert shown["publicity"]["ends_on"] == "2026-11-06"
    closed = await procedure.post(
        f"/v1/publicity-notices/{notice['id']}/close", {}, procedure.bureau()
    )
    assert closed["closed_on"] == today_in_china().isoformat()
    assert closed["items"][0]["state"] == "publicised"
    body = _recognition([app])
    preview = await procedure.post("/v1/recognitions/preview", body, procedure.bureau())
    year = today_in_china().year
    assert preview["refused"] == 0
    assert preview["items"][0]["plaque_no"] == f"兰科众创〔{year}〕第001号"
    assert (await _read(procedure, app))["state"] == "publicised"  # the preview changed nothing
    batch = await procedure.post("/v1/recognitions", body, procedure.bureau(), expect=201)
    assert batch["items"][0]["plaque_no"] == f"兰科众创〔{year}〕第001号"
    done = await _read(procedure, app)
    assert done["state"] == "recognised"
    assert done["recognition"] == {
        "batch_id": batch["id"],
        "document_no": body["document_no"],
        "announced_on": body["announced_on"],
        "plaque_no": f"兰科众创〔{year}〕第001号",
    }
    assert done["allowed_actions"] == []
    # The recognition act followed exactly as the direct act does: status, level, event.
    standing = (
        await registry.get(f"/v1/spaces/{space}/standing", headers=procedure.bureau())
    ).json()
    assert standing["status"] == "recognised"
    assert standing["levels"] == ["municipal"]
    feed = (await registry.get("/v1/events", headers=procedure.auth("service"))).json()["items"]
    types = [item["event"]["type"] for item in feed]
    assert types == [
        "application.decided",
        "application.publicity_opened",
        "application.publicity_closed",
        "space.recognised",
    ]
    recognised = feed[-1]["event"]
    assert (recognised["space_id"], recognised["document_no"]) == (space, body["document_no"])
    steps = (
        await registry.get(f"/v1/applications/{app['id']}/steps", headers=procedure.bureau())
    ).json()["items"]
    assert [s["action"] for s in steps] == [
        "create", "submit", "recommend", "accept", "assign_experts", "expert_review",
        "joint_opinion", "decision", "publicity", "publicity_close", "recognition",
    ]  # fmt: skip
    # Every clock of the steps stopped; the decision's was suspended during the review.
    due = {d["step"]: d for d in done["due_dates"]}
    assert set(due) == {
        "preliminary_review", "acceptance", "decision", "joint_review", "publicity",
    }  # fmt: skip
    assert all(d["state"] == "stopped" for d in due.values())
    assert due["publicity"]["due_on"] == "2026-11-06"
    # A second recognition of the same application is refused.
    again = await registry.post(
        "/v1/recognitions", json=_recognition([app]), headers=procedure.bureau()
    )
    assert again.status_code == 409
    assert "recognised" in again.json()["detail"]


async def test_a_batch_of_three_where_one_objection_is_upheld(procedure, registry) -> None:
    apps = [await procedure.approved() for _ in range(3)]
    notice = await _publicity(procedure, apps)
    first, second, third = apps
    document = await registry.post(
        f"/v1/spaces/{second['space_id']}/documents",
        headers=procedure.bureau(),
        json={
            "kind": "other",
            "title": "举报材料",
            "issuer": "匿名",
            "issued_on": "2026-11-03",
            "supports": ["premises.tenure"],
            "sha256": "B" * 64,
            "size_bytes": 3,
            "media_type": "application/pdf",
            "filename": "complaint.pdf",
        },
    )
    assert document.status_code == 201, document.text
    objection = await procedure.post(
        f"/v1/applications/{second['id']}/objections",
        {
            "raised_by": "张某（入孵企业负责人）",
            "raised_on": "2026-11-04",
            "content": "该空间实际入孵团队不足十家",
            "document_ids": [document.json()["id"]],
        },
        procedure.bureau(),
        expect=201,
    )
    assert objection["outcome"] is None
    closed = await procedure.post(
        f"/v1/publicity-notices/{notice['id']}/close", {}, procedure.bureau()
    )
    states = {item["application_id"]: item["state"] for item in closed["items"]}
    assert states == {
        first["id"]: "publicised",
        second["id"]: "in_publicity",
        third["id"]: "publicised",
    }
    # Recognition waits for every objection to be resolved, and is all or nothing.
    body = _recognition(apps)
    preview = await procedure.post("/v1/recognitions/preview", body, procedure.bureau())
    assert preview["refused"] == 1
    refused = next(i for i in preview["items"] if i["application_id"] == second["id"])
    assert "objection" in refused["reason"]
    blocked = await registry.post("/v1/recognitions", json=body, headers=procedure.bureau())
    assert blocked.status_code == 409
    assert second["id"] in blocked.json()["detail"]
    assert "not resolved" in blocked.json()["detail"]
    assert (await _read(procedure, first))["state"] == "publicised"
    upheld = await procedure.post(
        f"/v1/applications/{second['id']}/objections/{objection['id']}/resolution",
        {"outcome": "upheld", "reason": "经核实，入孵团队仅八家"},
        procedure.bureau(),
    )
    assert upheld["outcome"] == "upheld"
    assert (await _read(procedure, second))["state"] == "rejected"
    twice = await registry.post(
        f"/v1/applications/{second['id']}/objections/{objection['id']}/resolution",
        json={"outcome": "dismissed", "reason": "x"},
        headers=procedure.bureau(),
    )
    assert twice.status_code == 409
    body = _recognition([first, third])
    batch = await procedure.post("/v1/recognitions", body, procedure.bureau(), expect=201)
    year = today_in_china().year
    plaques = [item["plaque_no"] for item in batch["items"]]
    assert plaques == [f"兰科众创〔{year}〕第001号", f"兰科众创〔{year}〕第002号"]
    for app in (first, third):
        shown = await _read(procedure, app)
        assert shown["state"] == "recognised"
        assert shown["recognition"]["document_no"] == body["document_no"]
    assert (
        len({(await _read(procedure, a))["recognition"]["plaque_no"] for a in (first, third)}) == 2
    )
    read = await registry.get(f"/v1/recognitions/{batch['id']}", headers=procedure.auth("auditor"))
    assert [i["plaque_no"] for i in read.json()["items"]] == plaques


async def test_a_dismissed_objection_lets_the_application_go_on(procedure) -> None:
    app = await procedure.approved()
    notice = await _publicity(procedure, [app])
    objection = await procedure.post(
        f"/v1/applications/{app['id']}/objections",
        {"raised_by": "李某", "raised_on": "2026-11-05", "content": "场地面积不实"},
        procedure.bureau(),
        expect=201,
    )
    await procedure.post(f"/v1/publicity-notices/{notice['id']}/close", {}, procedure.bureau())
    assert (await _read(procedure, app))["state"] == "in_publicity"
    await procedure.post(
        f"/v1/applications/{app['id']}/objections/{objection['id']}/resolution",
        {"outcome": "dismissed", "reason": "经现场复核，面积属实"},
        procedure.bureau(),
    )
    assert (await _read(procedure, app))["state"] == "publicised"


async def test_objection_input_is_checked(procedure, registry) -> None:
    app = await procedure.approved()
    await _publicity(procedure, [app])
    outside = await registry.post(
        f"/v1/applications/{app['id']}/objections",
        json={"raised_by": "王某", "raised_on": "2026-11-09", "content": "x"},
        headers=procedure.bureau(),
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "body.raised_on"
    foreign = await registry.post(
        f"/v1/applications/{app['id']}/objections",
        json={
            "raised_by": "王某",
            "raised_on": "2026-11-03",
            "content": "x",
            "document_ids": [str(uuid.uuid4())],
        },
        headers=procedure.bureau(),
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "body.document_ids[0]"
    by_district = await registry.post(
        f"/v1/applications/{app['id']}/objections",
        json={"raised_by": "王某", "raised_on": "2026-11-03", "content": "x"},
        headers=procedure.district(),
    )
    assert by_district.status_code == 403


async def test_publicity_cannot_close_before_its_last_day_has_passed(procedure, registry) -> None:
    app = await procedure.approved()
    today = today_in_china()
    for year in (today.year, today.year + 1):
        loaded = await registry.get(f"/v1/calendar/{year}", headers=procedure.bureau())
        if loaded.status_code == 404:  # a run in a year the seed does not know
            put = await registry.put(
                f"/v1/calendar/{year}",
                json={"holidays": [], "make_up_working_days": [], "notice_no": "测试"},
                headers=procedure.bureau(),
            )
            assert put.status_code in (200, 201), put.text
    notice = await _publicity(procedure, [app], starts_on=today.isoformat())
    assert notice["ends_on"] >= today.isoformat()
    early = await registry.post(
        f"/v1/publicity-notices/{notice['id']}/close", json={}, headers=procedure.bureau()
    )
    assert early.status_code == 409
    assert early.json()["ends_on"] == notice["ends_on"]
    assert notice["ends_on"] in early.json()["detail"]
    assert (await _read(procedure, app))["state"] == "in_publicity"
    not_over = await registry.post(
        "/v1/recognitions", json=_recognition([app]), headers=procedure.bureau()
    )
    assert not_over.status_code == 409
    assert "publicity has not ended" in not_over.json()["detail"]


async def test_publicity_over_a_year_not_loaded_is_a_422_naming_it(procedure, registry) -> None:
    app = await procedure.approved()
    refused = await _publicity(procedure, [app], starts_on="2027-12-27", expect=422)
    assert refused["year"] == 2027 or refused["year"] == 2028
    assert str(refused["year"]) in refused["detail"]
    assert (await _read(procedure, app))["state"] == "approved"
    listed = await registry.get(
        "/v1/applications", params={"state": "in_publicity"}, headers=procedure.bureau()
    )
    assert listed.json()["items"] == []


async def test_publicity_only_for_approved_applications(procedure, registry) -> None:
    approved = await procedure.approved()
    reviewing = await procedure.under_review()
    refused = await registry.post(
        "/v1/publicity-notices",
        json={
            "notice_no": "兰科公示〔2026〕1号",
            "starts_on": NOTICE_START,
            "application_ids": [approved["id"], reviewing["id"]],
        },
        headers=procedure.bureau(),
    )
    assert refused.status_code == 409
    assert reviewing["id"] in refused.json()["detail"]
    assert (await _read(procedure, approved))["state"] == "approved"
    by_district = await registry.post(
        "/v1/publicity-notices",
        json={
            "notice_no": "兰科公示〔2026〕2号",
            "starts_on": NOTICE_START,
            "application_ids": [approved["id"]],
        },
        headers=procedure.district(),
    )
    assert by_district.status_code == 403


async def test_the_overdue_worklist(procedure, registry) -> None:
    late = await procedure.submitted()  # 初审 from 2026-09-01: 20 working days are long past
    shown = await _read(procedure, late)
    (clock,) = shown["due_dates"]
    assert (clock["step"], clock["state"], clock["overdue"]) == (
        "preliminary_review",
        "running",
        True,
    )
    # Twenty working days from Tuesday 09-01: the Sunday 09-20 is a working day (调休) and
    # Friday 09-25 the Mid-Autumn Festival, so the twentieth is Monday 09-28.
    assert clock["due_on"] == "2026-09-28"
    recommended = await procedure.submitted()
    await procedure.ok(recommended, "recommend", {"opinion": "推荐"}, procedure.district())
    overdue = await registry.get(
        "/v1/applications", params={"overdue": "true"}, headers=procedure.bureau()
    )
    ids = {a["id"] for a in overdue.json()["items"]}
    assert late["id"] in ids
    # Recommended on 09-02: 初审 stopped in time, 受理 (5 working days) overdue since 09-10.
    assert recommended["id"] in ids
    by_state = {d["step"]: d for d in (await _read(procedure, recommended))["due_dates"]}
    assert by_state["preliminary_review"]["overdue"] is False
    assert by_state["acceptance"]["overdue"] is True


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE application_steps SET opinion = 'x'",
        "DELETE FROM application_steps",
        "UPDATE application_experts SET expert_subject = 'x'",
        "DELETE FROM application_experts",
    ],
)
async def test_the_procedures_records_are_append_only(procedure, registry_app, statement) -> None:
    app = await procedure.under_review()
    with pytest.raises(DBAPIError, match="append-only"):
        async with registry_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    assert (await _read(procedure, app))["state"] == "under_review"


async def test_a_retried_step_is_recorded_once(procedure, registry) -> None:
    app = await procedure.submitted()
    headers = {**procedure.district(), "Idempotency-Key": f"recommend-{app['id']}"}
    body = {"opinion": "推荐", "effective_on": "2026-09-03"}
    first = await registry.post(
        f"/v1/applications/{app['id']}/recommend", json=body, headers=headers
    )
    again = await registry.post(
        f"/v1/applications/{app['id']}/recommend", json=body, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    steps = (
        await registry.get(f"/v1/applications/{app['id']}/steps", headers=procedure.bureau())
    ).json()["items"]
    assert [s["action"] for s in steps].count("recommend") == 1


@pytest.mark.backends("sqlite")
async def test_hostile_input_is_a_problem_never_a_5xx(procedure, registry) -> None:
    app = await procedure.submitted()
    bureau = procedure.bureau()
    for path, body in [
        (f"/v1/applications/{app['id']}/recommend", {"opinion": ""}),
        (f"/v1/applications/{app['id']}/recommend", {"opinion": "x", "effective_on": 0}),
        (f"/v1/applications/{app['id']}/recommend", {"opinion": "x\u0000"}),
        ("/v1/applications/not-a-uuid/recommend", {"opinion": "x"}),
        ("/v1/applications", {"space_id": "00000000-0000-0000-0000-000000000000"}),
        ("/v1/publicity-notices", {"notice_no": "x", "starts_on": "2026-11-02",
                                   "application_ids": []}),
        ("/v1/publicity-notices", {"notice_no": "x", "starts_on": "1-1-1",
                                   "application_ids": [app["id"], app["id"]]}),
        ("/v1/recognitions", {"application_ids": [app["id"], app["id"]], "document_no": "x",
                              "announced_on": "2026-11-02", "reason": "x"}),
    ]:  # fmt: skip
        headers = (
            procedure.district() if "recommend" in path or path == "/v1/applications" else bureau
        )
        response = await registry.post(path, json=body, headers=headers)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    preview = await registry.post(
        "/v1/recognitions/preview",
        json={"application_ids": [str(uuid.uuid4())], "document_no": "x",
              "announced_on": "2026-11-02", "reason": "x"},
        headers=bureau,
    )  # fmt: skip
    assert preview.status_code == 200
    assert preview.json()["items"][0]["reason"] == "no such application"


async def test_a_december_filing_is_taken_and_its_due_date_awaits_next_years_calendar(
    procedure, registry
) -> None:
    """A 初审 of 21 working days from 4 December 2026 reaches 2027, whose calendar is not loaded:
    the submission is taken all the same (the step is the operator's right; only its deadline is
    unknown), and the due date is computed once the bureau loads 2027, never guessed."""
    limit = await registry.put(
        "/v1/procedure/time-limits/preliminary_review",
        json={
            "kind": "statutory",
            "basis": "《中华人民共和国行政许可法》第四十三条",
            "length_wd": 21,
            "reason": "年末延长一日",
        },
        headers=procedure.bureau(),
    )
    assert limit.status_code == 200, limit.text
    app = await procedure.draft()
    submitted = await procedure.ok(
        app, "submit", {"application_date": "2026-12-04"}, procedure.district()
    )
    [review] = submitted["due_dates"]
    assert (review["step"], review["state"], review["length_wd"]) == (
        "preliminary_review",
        "running",
        21,
    )
    assert (review["due_on"], review["awaiting_calendar_year"]) == (None, 2027)
    assert review["overdue"] is False
    loaded = await registry.put(
        "/v1/calendar/2027",
        json={
            "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
            "make_up_working_days": [],
            "notice_no": "国办发明电〔2026〕9号",
        },
        headers=procedure.bureau(),
    )
    assert loaded.status_code == 200, loaded.text
    # 20 working days of December from the 4th (the first counts), then 1-3 January off.
    read = await registry.get(f"/v1/applications/{app['id']}", headers=procedure.district())
    [review] = read.json()["due_dates"]
    assert (review["due_on"], review["awaiting_calendar_year"]) == ("2027-01-04", None)
