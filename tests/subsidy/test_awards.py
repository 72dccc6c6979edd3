"""Awards: recognised on the decision date, within policy and budget, four-eyes approved."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest

from services.subsidy.awards import service as awards_service
from tests.subsidy.conftest import Money, doc

RECOGNITION_COMPREHENSIVE = 20_000_000  # the example 2026 policy, in fen


def _award_body(space_id: uuid.UUID, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "space_id": str(space_id),
        "kind": "recognition",
        "decision_document_no": doc(),
        "decided_on": "2026-03-02",
    }
    body.update(overrides)
    return body


async def test_an_award_reserves_budget_and_pays_only_after_a_second_person_approves(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    space = fake_registry.add()
    award = await money.award(space, approve=False)
    assert award["status"] == "pending_approval"
    assert award["amount_fen"] == RECOGNITION_COMPREHENSIVE
    assert award["undisbursed_fen"] == RECOGNITION_COMPREHENSIVE
    budget = await money.expect(
        await money.client.get("/v1/budgets/2026", headers=auth("auditor", key=False)), 200
    )
    assert budget["available_fen"] == 50_000_000 - RECOGNITION_COMPREHENSIVE
    assert budget["awarded_fen"] == RECOGNITION_COMPREHENSIVE

    # Not payable while pending.
    refused = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json={"amount_fen": 100, "payee_name": "x", "payee_account": "6222 0000"},
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409, refused.text
    assert "approved" in refused.json()["detail"]

    # The preparer cannot approve their own award, whatever their role.
    own = await money.client.post(
        f"/v1/awards/{award['id']}/approval",
        headers=auth("finance_officer", sub="finance-zhang"),
    )
    assert own.status_code == 403, own.text
    assert own.json()["type"] == "urn:lzms:problem:four-eyes"

    approved = await money.client.post(
        f"/v1/awards/{award['id']}/approval", headers=money.approver()
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == money.approver_sub
    again = await money.client.post(f"/v1/awards/{award['id']}/approval", headers=money.approver())
    assert again.status_code == 409


async def test_an_unrecognised_space_gets_no_award_and_nothing_changes(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    applicant = fake_registry.add(status="applicant")
    # Recognised only after the decision date: the decision date is what counts.
    later = fake_registry.add(since=date(2026, 3, 3))
    for space in (applicant, later):
        response = await money.client.post(
            "/v1/awards", json=_award_body(space.id), headers=money.preparer_headers()
        )
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["type"] == "urn:lzms:problem:space-not-recognised"
        assert "'applicant' on 2026-03-02" in problem["detail"]
    listing = await money.client.get("/v1/awards", headers=auth("auditor", key=False))
    assert listing.json()["items"] == []
    assert (await money.account("budget:2026"))["balance"] == 50_000_000
    # The day it was recognised is enough.
    ok = await money.client.post(
        "/v1/awards",
        json=_award_body(later.id, decided_on="2026-03-03"),
        headers=money.preparer_headers(),
    )
    assert ok.status_code == 201, ok.text


async def _available(money: Money, year: int = 2026) -> int:
    budget = await money.expect(
        await money.client.get(f"/v1/budgets/{year}", headers=money.auth("auditor", key=False)),
        200,
    )
    return int(budget["available_fen"])


async def test_a_district_cannot_decide_an_award_nor_tie_up_the_budget(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    ours = fake_registry.add(jurisdiction="620102")

    def district() -> dict[str, str]:
        return auth("district_officer", "620102", sub="chengguan-li")

    refused = await money.client.post("/v1/awards", json=_award_body(ours.id), headers=district())
    assert refused.status_code == 403, refused.text
    assert "POST /v1/award-requests" in refused.json()["detail"]
    assert "reserves no budget" in refused.json()["detail"]
    # Refused, nothing changed: no award, the whole budget available.
    assert await _available(money) == 50_000_000
    listing = await money.client.get("/v1/awards", headers=auth("auditor", key=False))
    assert listing.json()["items"] == []
    # Nor can any other role but the bureau and finance decide one.
    for role in ("auditor", "expert", "service"):
        other = await money.client.post("/v1/awards", json=_award_body(ours.id), headers=auth(role))
        assert other.status_code == 403, (role, other.text)
        assert "award-requests" not in other.json()["detail"]
    assert await _available(money) == 50_000_000


@pytest.fixture
def requests_in(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """A request is priced by the policy of the year it is made in (China time); the example
    policies cover 2025 and 2026, so requests are made on a day of 2026 unless a test says."""

    def on(day: date) -> None:
        monkeypatch.setattr(awards_service, "today_in_china", lambda: day)

    on(date(2026, 6, 1))
    return on


def _request_body(space_id: uuid.UUID, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "space_id": str(space_id),
        "kind": "recognition",
        "reason": "2026年新认定，建议给予一次性奖励",
    }
    body.update(overrides)
    return body


@pytest.mark.usefixtures("requests_in")
async def test_a_district_requests_an_award_that_holds_no_budget_and_the_bureau_decides_it(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    ours = fake_registry.add(jurisdiction="620102")

    def district() -> dict[str, str]:
        return auth("district_officer", "620102", sub="chengguan-li")

    response = await money.client.post(
        "/v1/award-requests", json=_request_body(ours.id), headers=district()
    )
    assert response.status_code == 201, response.text
    request = response.json()
    assert response.headers["location"] == f"/v1/award-requests/{request['id']}"
    assert request["status"] == "open"
    assert request["created_by"] == "chengguan-li"
    assert request["reason"] == "2026年新认定，建议给予一次性奖励"
    assert request["award_id"] is None
    assert request["space_name"] == ours.name
    assert request["amount_fen"] == RECOGNITION_COMPREHENSIVE
    assert request["policy_id"] == "example-2026"
    assert await _available(money) == 50_000_000
    read = await money.client.get(
        response.headers["location"], headers=auth("district_officer", "620102", key=False)
    )
    assert read.json() == request
    hidden = await money.client.get(
        response.headers["location"], headers=auth("district_officer", "620103", key=False)
    )
    assert hidden.status_code == 404

    # The district sees its request, another district does not; it cannot decide it.
    worklist = await money.client.get(
        "/v1/award-requests", headers=auth("district_officer", "620102", key=False)
    )
    assert [p["id"] for p in worklist.json()["items"]] == [request["id"]]
    elsewhere = await money.client.get(
        "/v1/award-requests", headers=auth("district_officer", "620103", key=False)
    )
    assert elsewhere.json()["items"] == []
    for path, body in (
        ("decision", {"decision_document_no": doc(), "decided_on": "2026-03-02"}),
        ("declination", {"reason": "自己撤回"}),
    ):
        no = await money.client.post(
            f"/v1/award-requests/{request['id']}/{path}", json=body, headers=district()
        )
        assert no.status_code == 403, (path, no.text)
    assert await _available(money) == 50_000_000

    # The bureau decides it: only now is the budget reserved.
    decided = await money.client.post(
        f"/v1/award-requests/{request['id']}/decision",
        json={"decision_document_no": doc(), "decided_on": "2026-03-02"},
        headers=money.preparer_headers(),
    )
    assert decided.status_code == 201, decided.text
    award = decided.json()
    assert award["status"] == "pending_approval"
    assert award["created_by"] == "finance-zhang"
    assert decided.headers["location"] == f"/v1/awards/{award['id']}"
    assert await _available(money) == 50_000_000 - RECOGNITION_COMPREHENSIVE
    done = await money.client.get(
        f"/v1/award-requests/{request['id']}", headers=auth("auditor", key=False)
    )
    assert done.json()["status"] == "decided"
    assert done.json()["award_id"] == award["id"]
    assert done.json()["decided_by"] == "finance-zhang"

    # A district's approval is refused and changes nothing.
    no = await money.client.post(f"/v1/awards/{award['id']}/approval", headers=district())
    assert no.status_code == 403, no.text
    unchanged = await money.client.get(
        f"/v1/awards/{award['id']}", headers=auth("district_officer", "620102", key=False)
    )
    assert unchanged.json()["status"] == "pending_approval"
    assert unchanged.json()["approved_by"] is None
    # Four eyes still: the one who decided does not approve; a second person does.
    own = await money.client.post(
        f"/v1/awards/{award['id']}/approval", headers=money.preparer_headers()
    )
    assert own.status_code == 403
    assert own.json()["type"] == "urn:lzms:problem:four-eyes"
    approved = await money.client.post(
        f"/v1/awards/{award['id']}/approval", headers=money.approver()
    )
    assert approved.status_code == 200, approved.text
    assert await _available(money) == 50_000_000 - RECOGNITION_COMPREHENSIVE


async def test_a_district_requests_only_for_its_own_recognised_spaces(
    money: Money, fake_registry, auth, requests_in
) -> None:
    theirs = fake_registry.add(jurisdiction="620103")

    def district() -> dict[str, str]:
        return auth("district_officer", "620102")

    refused = await money.client.post(
        "/v1/award-requests", json=_request_body(theirs.id), headers=district()
    )
    missing = await money.client.post(
        "/v1/award-requests", json=_request_body(uuid.uuid4()), headers=district()
    )
    # Another district's space reads exactly like a space that does not exist.
    assert refused.status_code == missing.status_code == 422, refused.text
    assert refused.json()["errors"] == missing.json()["errors"]
    assert refused.json()["errors"][0]["field"] == "body.space_id"
    assert theirs.name not in refused.text
    applicant = fake_registry.add(status="applicant")
    not_yet = await money.client.post(
        "/v1/award-requests", json=_request_body(applicant.id), headers=district()
    )
    assert not_yet.status_code == 409, not_yet.text
    assert not_yet.json()["type"] == "urn:lzms:problem:space-not-recognised"
    # A year without a policy prices nothing: refused, naming what is missing.
    requests_in(date(2027, 1, 4))
    ours = fake_registry.add()
    unpriced = await money.client.post(
        "/v1/award-requests", json=_request_body(ours.id), headers=district()
    )
    assert unpriced.status_code == 422, unpriced.text
    assert "no award policy for fiscal year 2027" in unpriced.json()["detail"]
    worklist = await money.client.get("/v1/award-requests", headers=auth("auditor", key=False))
    assert worklist.json()["items"] == []


@pytest.mark.usefixtures("requests_in")
async def test_one_open_request_of_a_kind_per_space_and_year(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    space = fake_registry.add()

    def district() -> dict[str, str]:
        return auth("district_officer", "620102")

    first = await money.expect(
        await money.client.post(
            "/v1/award-requests", json=_request_body(space.id), headers=district()
        ),
        201,
    )
    again = await money.client.post(
        "/v1/award-requests", json=_request_body(space.id), headers=district()
    )
    assert again.status_code == 409, again.text
    assert again.json()["existing_id"] == first["id"]
    # Declined, it may be asked again; an award decided meanwhile stops a request.
    await money.expect(
        await money.client.post(
            f"/v1/award-requests/{first['id']}/declination",
            json={"reason": "材料不全"},
            headers=money.approver(),
        ),
        200,
    )
    decide = {"decision_document_no": doc(), "decided_on": "2026-03-02"}
    closed = await money.client.post(
        f"/v1/award-requests/{first['id']}/decision", json=decide, headers=money.approver()
    )
    assert closed.status_code == 409, closed.text
    assert closed.json()["current_status"] == "declined"
    unknown = await money.client.post(
        f"/v1/award-requests/{uuid.uuid4()}/decision", json=decide, headers=money.approver()
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:lzms:problem:award-request-not-found"
    assert await _available(money) == 50_000_000
    award = await money.award(space, approve=False)
    late = await money.client.post(
        "/v1/award-requests", json=_request_body(space.id), headers=district()
    )
    assert late.status_code == 409, late.text
    assert late.json()["existing_id"] == award["id"]


@pytest.mark.usefixtures("requests_in")
async def test_a_requested_operating_subsidy_is_decided_at_the_amount_asked_or_set(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)

    def district() -> dict[str, str]:
        return auth("district_officer", "620102")

    virtual, other = fake_registry.add(form="virtual"), fake_registry.add(form="virtual")
    over = await money.client.post(
        "/v1/award-requests",
        json=_request_body(virtual.id, kind="operating_subsidy", amount_fen=2_000_001),
        headers=district(),
    )
    assert over.status_code == 422, over.text
    assert "1 fen too much" in over.json()["errors"][0]["message"]
    asked = []
    for space in (virtual, other):
        asked.append(
            await money.expect(
                await money.client.post(
                    "/v1/award-requests",
                    json=_request_body(space.id, kind="operating_subsidy", amount_fen=1_500_000),
                    headers=district(),
                ),
                201,
            )
        )
    decide = {"decision_document_no": doc(), "decided_on": "2026-03-02"}
    as_asked = await money.expect(
        await money.client.post(
            f"/v1/award-requests/{asked[0]['id']}/decision",
            json=decide,
            headers=money.preparer_headers(),
        ),
        201,
    )
    assert as_asked["amount_fen"] == 1_500_000
    set_lower = await money.expect(
        await money.client.post(
            f"/v1/award-requests/{asked[1]['id']}/decision",
            json={**decide, "decision_document_no": doc(), "amount_fen": 1_000_000},
            headers=money.preparer_headers(),
        ),
        201,
    )
    assert set_lower["amount_fen"] == 1_000_000
    assert await _available(money) == 50_000_000 - 2_500_000


async def test_a_district_reads_only_its_own_awards(money: Money, fake_registry, auth) -> None:
    await money.appropriate(50_000_000)
    ours = await money.award(fake_registry.add(jurisdiction="620102"))
    theirs = await money.award(fake_registry.add(jurisdiction="620103"))
    district = auth("district_officer", "620102", key=False)
    hidden = await money.client.get(f"/v1/awards/{theirs['id']}", headers=district)
    missing = await money.client.get(f"/v1/awards/{uuid.uuid4()}", headers=district)
    assert hidden.status_code == missing.status_code == 404
    listing = await money.client.get("/v1/awards", headers=district)
    assert [a["id"] for a in listing.json()["items"]] == [ours["id"]]


async def test_registry_down_means_no_award_not_a_guess(money: Money, fake_registry) -> None:
    await money.appropriate(50_000_000)
    space = fake_registry.add()
    fake_registry.down = True
    response = await money.client.post(
        "/v1/awards", json=_award_body(space.id), headers=money.preparer_headers()
    )
    assert response.status_code == 503, response.text
    assert "registry" in response.json()["detail"]
    assert (await money.account("budget:2026"))["balance"] == 50_000_000


async def test_the_budget_is_never_exceeded_exactly_the_remainder_is_enough(
    money: Money, fake_registry
) -> None:
    # One fen short of two awards: the second is refused, and saying so names the shortfall.
    await money.appropriate(2 * RECOGNITION_COMPREHENSIVE - 1)
    first, second = fake_registry.add(), fake_registry.add()
    await money.award(first)
    refused = await money.client.post(
        "/v1/awards", json=_award_body(second.id), headers=money.preparer_headers()
    )
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:lzms:problem:budget-exceeded"
    assert problem["available_fen"] == RECOGNITION_COMPREHENSIVE - 1
    assert "0.01 元 short" in problem["detail"]
    # One more fen and it fits exactly, leaving nothing.
    adjusted = await money.client.post(
        "/v1/budgets/2026/adjustments",
        json={
            "amount_fen": 1,
            "document_no": doc("兰财教"),
            "adjusted_on": "2026-02-01",
            "reason": "追加",
        },
        headers=money.preparer_headers(),
    )
    assert adjusted.status_code == 201, adjusted.text
    await money.award(second)
    assert (await money.account("budget:2026"))["balance"] == 0


async def test_the_policy_fixes_or_caps_the_amount(money: Money, fake_registry) -> None:
    await money.appropriate(50_000_000)
    space = fake_registry.add(form="virtual")
    wrong = await money.client.post(
        "/v1/awards",
        json=_award_body(space.id, amount_fen=5_000_001),
        headers=money.preparer_headers(),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.amount_fen"
    assert "5000000 fen" in wrong.json()["errors"][0]["message"]
    # Operating subsidies are determined case by case, up to the cap (virtual: 2,000,000 fen).
    over = await money.client.post(
        "/v1/awards",
        json=_award_body(space.id, kind="operating_subsidy", amount_fen=2_000_001),
        headers=money.preparer_headers(),
    )
    assert over.status_code == 422
    assert "1 fen too much" in over.json()["errors"][0]["message"]
    missing = await money.client.post(
        "/v1/awards",
        json=_award_body(space.id, kind="operating_subsidy"),
        headers=money.preparer_headers(),
    )
    assert missing.status_code == 422
    at_cap = await money.award(space, kind="operating_subsidy", amount=2_000_000)
    assert at_cap["amount_fen"] == 2_000_000
    veteran = money.registry.add(since=date(2023, 1, 1))
    no_policy = await money.client.post(
        "/v1/awards",
        json=_award_body(veteran.id, decided_on="2024-03-02"),
        headers=money.preparer_headers(),
    )
    assert no_policy.status_code == 422
    assert "no award policy for fiscal year 2024" in no_policy.json()["detail"]


async def test_a_national_filing_award_needs_the_filing(money: Money, fake_registry) -> None:
    await money.appropriate(90_000_000)
    plain = fake_registry.add()
    filed = fake_registry.add(levels=["municipal", "national_filing"])
    refused = await money.client.post(
        "/v1/awards",
        json=_award_body(plain.id, kind="national_filing"),
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409
    assert "national filing" in refused.json()["detail"]
    assert (await money.award(filed, kind="national_filing"))["amount_fen"] == 30_000_000


async def test_one_live_award_of_a_kind_per_space_and_year(money: Money, fake_registry) -> None:
    await money.appropriate(90_000_000)
    space = fake_registry.add()
    first = await money.award(space, approve=False)
    duplicate = await money.client.post(
        "/v1/awards", json=_award_body(space.id), headers=money.preparer_headers()
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["existing_id"] == first["id"]
    declined = await money.client.post(
        f"/v1/awards/{first['id']}/declination",
        json={"reason": "材料不全"},
        headers=money.approver(),
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert declined.json()["undisbursed_fen"] == 0
    assert (await money.account("budget:2026"))["balance"] == 90_000_000
    # Declined, it may be decided again.
    await money.award(space)


async def test_bad_amounts_are_refused_naming_the_field(money: Money, fake_registry) -> None:
    for amount, words in (
        (100.5, "fraction"),
        (0, "greater than 0"),
        (-5, "greater than 0"),
        ("100", "whole numbers of fen"),
        (True, "whole numbers of fen"),
        (10**12 + 1, "less than or equal"),
    ):
        response = await money.client.post(
            "/v1/budgets/2026/appropriations",
            json={"amount_fen": amount, "document_no": doc(), "appropriated_on": "2026-01-10"},
            headers=money.preparer_headers(),
        )
        assert response.status_code == 422, (amount, response.text)
        (error,) = response.json()["errors"]
        assert error["field"] == "body.amount_fen"
        assert words in error["message"], (amount, error)
    budgets = await money.client.get("/v1/budgets", headers=money.auth("auditor", key=False))
    assert budgets.json() == []


async def test_a_document_number_with_a_control_character_is_refused(
    money: Money, fake_registry
) -> None:
    response = await money.client.post(
        "/v1/budgets/2026/appropriations",
        json={
            "amount_fen": 100,
            "document_no": "兰财教〔2026〕\u000012号",
            "appropriated_on": "2026-01-10",
        },
        headers=money.preparer_headers(),
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "body.document_no"
    assert "U+0000" in error["message"]
    budgets = await money.client.get("/v1/budgets", headers=money.auth("auditor", key=False))
    assert budgets.json() == []
