"""Awards: recognised on the decision date, within policy and budget, four-eyes approved."""

from __future__ import annotations

import uuid
from datetime import date

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


async def test_a_district_prepares_awards_for_its_own_spaces_only(
    money: Money, fake_registry, auth
) -> None:
    await money.appropriate(50_000_000)
    theirs = fake_registry.add(jurisdiction="620103")
    ours = fake_registry.add(jurisdiction="620102")
    district = auth("district_officer", "620102", sub="chengguan-li")
    refused = await money.client.post("/v1/awards", json=_award_body(theirs.id), headers=district)
    missing = await money.client.post(
        "/v1/awards", json=_award_body(uuid.uuid4()), headers=auth("district_officer", "620102")
    )
    # Another district's space reads exactly like a space that does not exist.
    assert refused.status_code == missing.status_code == 422
    assert refused.json()["detail"].replace(str(theirs.id), "X") == missing.json()[
        "detail"
    ].replace(missing.json()["detail"].split()[6], "X")
    assert refused.json()["errors"][0]["field"] == "body.space_id"
    assert theirs.name not in refused.text

    created = await money.client.post("/v1/awards", json=_award_body(ours.id), headers=district)
    assert created.status_code == 201, created.text
    # A district cannot approve, and cannot see the other district's awards.
    no = await money.client.post(
        f"/v1/awards/{created.json()['id']}/approval", headers=auth("district_officer", "620102")
    )
    assert no.status_code == 403
    other = await money.award(theirs)
    hidden = await money.client.get(
        f"/v1/awards/{other['id']}", headers=auth("district_officer", "620102", key=False)
    )
    assert hidden.status_code == 404
    listing = await money.client.get(
        "/v1/awards", headers=auth("district_officer", "620102", key=False)
    )
    assert [a["id"] for a in listing.json()["items"]] == [created.json()["id"]]


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
