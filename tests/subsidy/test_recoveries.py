"""Recovery: revocation for false materials claims back everything paid, once; repayments,
offsets and write-offs settle it; never more than was paid, never more than is outstanding."""

from __future__ import annotations

import asyncio
import uuid

from tests.subsidy.conftest import Money, doc, revocation_event

AWARD = 20_000_000


async def _paid_space(money: Money, paid: int, *, operator_id: uuid.UUID | None = None):
    space = money.registry.add(operator_id=operator_id)
    award = await money.award(space)
    await money.pay(award["id"], paid)
    return space, award


async def _cases(money: Money, space) -> list[dict]:
    response = await money.client.get(
        "/v1/recoveries",
        params={"space_id": str(space.id)},
        headers=money.auth("auditor", key=False),
    )
    return response.json()["items"]


async def test_revocation_for_false_materials_five_times_opens_one_case(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, award = await _paid_space(money, 12_000_000)
    unsent = await money.instruct(award["id"], 3_000_000)
    event_id = str(uuid.uuid4())
    receipts = [await money.revoke(space, event_id=event_id) for _ in range(5)]
    assert [r.status_code for r in receipts] == [200] * 5
    assert [r.json()["duplicate"] for r in receipts] == [False, True, True, True, True]
    assert len({r.json()["outcome"] for r in receipts}) == 1
    (case,) = await _cases(money, space)
    assert case["ground"] == "false_materials"
    assert case["determined_fen"] == case["outstanding_fen"] == 12_000_000
    assert case["due_on"] == "2026-06-05"
    # The unsent tranche is cancelled and the unpaid rest of the award is back in the budget.
    instruction = await money.client.get(
        f"/v1/disbursements/{unsent['id']}", headers=money.auth("auditor", key=False)
    )
    assert instruction.json()["status"] == "cancelled"
    read = await money.client.get(
        f"/v1/awards/{award['id']}", headers=money.auth("auditor", key=False)
    )
    assert read.json()["status"] == "cancelled"
    assert (await money.account("budget:2026"))["balance"] == 50_000_000 - 12_000_000
    assert (await money.verify())["intact"] is True


async def test_concurrent_redeliveries_apply_once(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, _ = await _paid_space(money, 5_000_000)
    body = revocation_event(space, "false_materials")
    headers = money.auth("service", sub="service:registry", key=False)
    responses = await asyncio.gather(
        *(money.client.post("/v1/events/registry", json=body, headers=headers) for _ in range(5))
    )
    # Each delivery either applied, found it applied, or lost the race and is told to retry.
    assert {r.status_code for r in responses} <= {200, 409}
    assert sum(1 for r in responses if r.status_code == 200 and not r.json()["duplicate"]) == 1
    assert len(await _cases(money, space)) == 1


async def test_other_revocations_cancel_but_recover_nothing(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, _ = await _paid_space(money, 5_000_000)
    receipt = await money.revoke(space, reason="failed_assessments")
    assert "no recovery" in receipt.json()["outcome"]
    assert await _cases(money, space) == []


async def test_repayments_partial_then_exactly_the_rest_never_more(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, _ = await _paid_space(money, 10_000_000)
    await money.revoke(space)
    (case,) = await _cases(money, space)
    url = f"/v1/recoveries/{case['id']}/repayments"

    def repayment(amount: int) -> dict:
        return {"amount_fen": amount, "repaid_on": "2026-05-20", "reference": doc("缴款")}

    partial = await money.client.post(
        url, json=repayment(4_000_000), headers=money.preparer_headers()
    )
    assert partial.status_code == 201, partial.text
    assert partial.json()["outstanding_fen"] == 6_000_000
    assert partial.json()["status"] == "open"
    over = await money.client.post(url, json=repayment(6_000_001), headers=money.preparer_headers())
    assert over.status_code == 409
    assert over.json()["type"] == "urn:lzms:problem:settlement-exceeds-outstanding"
    assert over.json()["outstanding_fen"] == 6_000_000
    rest = await money.client.post(url, json=repayment(6_000_000), headers=money.preparer_headers())
    assert rest.json()["status"] == "recovered"
    assert rest.json()["recovered_fen"] == 10_000_000
    closed = await money.client.post(url, json=repayment(1), headers=money.preparer_headers())
    assert closed.status_code == 409

    # A bounced repayment is corrected by reversing its entry: the case opens again.
    entry_id = rest.json()["settlements"][-1]["entry_id"]
    reversed_ = await money.client.post(
        f"/v1/ledger/entries/{entry_id}/reversal",
        json={"reason": "缴款退票"},
        headers=money.preparer_headers(),
    )
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["reverses_id"] == entry_id
    twice = await money.client.post(
        f"/v1/ledger/entries/{entry_id}/reversal",
        json={"reason": "again"},
        headers=money.preparer_headers(),
    )
    assert twice.status_code == 409
    reopened = await money.client.get(
        f"/v1/recoveries/{case['id']}", headers=money.auth("auditor", key=False)
    )
    assert reopened.json()["status"] == "open"
    assert reopened.json()["outstanding_fen"] == 6_000_000
    assert reopened.json()["determined_fen"] == 10_000_000  # not 16,000,000
    assert reopened.json()["settlements"][-1]["reversed_by_entry_id"] == reversed_.json()["id"]


async def test_a_misuse_case_claims_at_most_what_was_paid(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, _ = await _paid_space(money, 7_000_000)

    def case(amount: int) -> dict:
        return {
            "space_id": str(space.id),
            "amount_fen": amount,
            "legal_basis": "《兰州市众创空间认定管理办法》第二十一条",
            "document_no": doc("兰科发追"),
            "determined_on": "2026-06-01",
            "due_on": "2026-07-01",
        }

    over = await money.client.post(
        "/v1/recoveries", json=case(7_000_001), headers=money.preparer_headers()
    )
    assert over.status_code == 409
    assert over.json()["type"] == "urn:lzms:problem:recovery-exceeds-paid"
    assert over.json()["paid_fen"] == 7_000_000
    exact = await money.client.post(
        "/v1/recoveries", json=case(7_000_000), headers=money.preparer_headers()
    )
    assert exact.status_code == 201, exact.text
    # Everything paid is claimed now: a second case finds nothing left to claim.
    more = await money.client.post("/v1/recoveries", json=case(1), headers=money.preparer_headers())
    assert more.status_code == 409
    bad_dates = await money.client.post(
        "/v1/recoveries", json={**case(1), "due_on": "2026-05-31"}, headers=money.preparer_headers()
    )
    assert bad_dates.status_code == 422
    assert bad_dates.json()["errors"][0]["field"] == "body.due_on"


async def test_an_offset_settles_with_a_tranche_of_the_same_operator(money: Money) -> None:
    await money.appropriate(90_000_000)
    operator = uuid.uuid4()
    revoked, _ = await _paid_space(money, 6_000_000, operator_id=operator)
    sibling = money.registry.add(operator_id=operator)
    stranger = money.registry.add()
    sibling_award = await money.award(sibling)
    stranger_award = await money.award(stranger)
    await money.revoke(revoked)
    (case,) = await _cases(money, revoked)

    def offset(award_id: str, amount: int) -> dict:
        return {
            "award_id": award_id,
            "amount_fen": amount,
            "offset_on": "2026-06-01",
            "document_no": doc("抵扣"),
        }

    refused = await money.client.post(
        f"/v1/recoveries/{case['id']}/offsets",
        json=offset(stranger_award["id"], 1_000),
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409
    assert "same operator" in refused.json()["detail"]
    done = await money.client.post(
        f"/v1/recoveries/{case['id']}/offsets",
        json=offset(sibling_award["id"], 6_000_000),
        headers=money.preparer_headers(),
    )
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "recovered"
    award = await money.client.get(
        f"/v1/awards/{sibling_award['id']}", headers=money.auth("auditor", key=False)
    )
    assert award.json()["paid_fen"] == 6_000_000
    assert award.json()["undisbursed_fen"] == AWARD - 6_000_000
    tranches = await money.client.get(
        f"/v1/awards/{sibling_award['id']}/disbursements", headers=money.auth("auditor", key=False)
    )
    (tranche,) = tranches.json()
    assert tranche["method"] == "offset"
    assert tranche["recovery_case_id"] == case["id"]
    assert (await money.verify())["intact"] is True


async def test_a_write_off_needs_a_second_person(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, _ = await _paid_space(money, 3_000_000)
    await money.revoke(space)
    (case,) = await _cases(money, space)
    base = f"/v1/recoveries/{case['id']}"
    requester = money.auth("finance_officer", sub="finance-zhang")
    early = await money.client.post(f"{base}/write-off-approval", headers=money.approver())
    assert early.status_code == 409
    requested = await money.client.post(
        f"{base}/write-off-request",
        json={"reason": "运营主体已注销，无财产可供执行"},
        headers=requester,
    )
    assert requested.status_code == 200, requested.text
    own = await money.client.post(
        f"{base}/write-off-approval", headers=money.auth("finance_officer", sub="finance-zhang")
    )
    assert own.status_code == 403
    approved = await money.client.post(f"{base}/write-off-approval", headers=money.approver())
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "written_off"
    assert approved.json()["written_off_fen"] == 3_000_000
    assert approved.json()["outstanding_fen"] == 0
    (settlement,) = approved.json()["settlements"]
    assert settlement["approved_by"] == money.approver_sub


async def test_a_tranche_confirmed_after_the_revocation_is_claimed_too(money: Money) -> None:
    await money.appropriate(50_000_000)
    space, award = await _paid_space(money, 2_000_000)
    in_flight = await money.instruct(award["id"], 1_000_000)
    await money.client.post(
        f"/v1/disbursements/{in_flight['id']}/sending", json={}, headers=money.preparer_headers()
    )
    await money.revoke(space)
    confirmed = await money.client.post(
        f"/v1/disbursements/{in_flight['id']}/confirmation",
        json={"settled_on": "2026-05-07", "bank_reference": "BK-late"},
        headers=money.preparer_headers(),
    )
    assert confirmed.status_code == 200, confirmed.text
    (case,) = await _cases(money, space)
    assert case["determined_fen"] == case["outstanding_fen"] == 3_000_000
