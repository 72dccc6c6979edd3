"""Payment instructions: identified first, sent, confirmed or failed; never above the award."""

from __future__ import annotations

from tests.subsidy.conftest import Money

AWARD = 20_000_000


async def _approved_award(money: Money) -> tuple[dict, object]:
    await money.appropriate(50_000_000)
    space = money.registry.add()
    return await money.award(space), space


async def test_tranches_up_to_exactly_the_award_and_not_one_fen_more(money: Money) -> None:
    award, _ = await _approved_award(money)
    first = await money.pay(award["id"], 12_000_000)
    assert first["status"] == "confirmed"
    assert first["tranche_no"] == 1
    instruction = await money.instruct(award["id"], AWARD - 12_000_000 + 0)
    assert instruction["tranche_no"] == 2
    over = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json={"amount_fen": 1, "payee_name": "兰州某运营公司", "payee_account": "6222 0000"},
        headers=money.preparer_headers(),
    )
    assert over.status_code == 409, over.text
    problem = over.json()
    assert problem["type"] == "urn:lzms:problem:award-exceeded"
    assert problem["undisbursed_fen"] == 0
    read = await money.client.get(
        f"/v1/awards/{award['id']}", headers=money.auth("auditor", key=False)
    )
    assert read.json()["paid_fen"] == 12_000_000
    assert read.json()["in_transit_fen"] == AWARD - 12_000_000
    assert read.json()["undisbursed_fen"] == 0
    assert (await money.verify())["intact"] is True


async def test_a_failure_is_final_and_a_retry_is_a_new_instruction(money: Money) -> None:
    award, _ = await _approved_award(money)
    instruction = await money.instruct(award["id"], AWARD)
    headers = money.preparer_headers
    early = await money.client.post(
        f"/v1/disbursements/{instruction['id']}/confirmation",
        json={"settled_on": "2026-04-01", "bank_reference": "BK1"},
        headers=headers(),
    )
    assert early.status_code == 409
    assert "only when sent" in early.json()["detail"]
    await money.client.post(
        f"/v1/disbursements/{instruction['id']}/sending", json={}, headers=headers()
    )
    failed = await money.client.post(
        f"/v1/disbursements/{instruction['id']}/failure",
        json={"reason": "账户已销户"},
        headers=headers(),
    )
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "failed"
    again = await money.client.post(
        f"/v1/disbursements/{instruction['id']}/confirmation",
        json={"settled_on": "2026-04-01", "bank_reference": "BK1"},
        headers=headers(),
    )
    assert again.status_code == 409
    assert "a retry is a new instruction" in again.json()["detail"]
    # The whole amount is available again, for a new instruction with a new identity.
    retry = await money.pay(award["id"], AWARD)
    assert retry["id"] != instruction["id"]
    assert retry["tranche_no"] == 2
    assert (await money.account(f"disbursed:{award['id']}"))["balance"] == AWARD


async def test_an_unsent_instruction_may_be_cancelled_a_sent_one_may_not(money: Money) -> None:
    award, _ = await _approved_award(money)
    instruction = await money.instruct(award["id"], 5_000_000)
    cancelled = await money.client.post(
        f"/v1/disbursements/{instruction['id']}/cancellation",
        json={"reason": "收款账户有误"},
        headers=money.preparer_headers(),
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (await money.account(f"committed:{award['id']}"))["balance"] == AWARD
    sent = await money.instruct(award["id"], 5_000_000)
    await money.client.post(
        f"/v1/disbursements/{sent['id']}/sending", json={}, headers=money.preparer_headers()
    )
    refused = await money.client.post(
        f"/v1/disbursements/{sent['id']}/cancellation",
        json={"reason": "x"},
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409


async def test_an_idempotency_key_is_required_and_a_retry_pays_once(money: Money) -> None:
    award, _ = await _approved_award(money)
    body = {"amount_fen": 1_000_000, "payee_name": "兰州某运营公司", "payee_account": "6222 0000"}
    without = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json=body,
        headers=money.auth("finance_officer", sub="finance-zhang", key=False),
    )
    assert without.status_code == 428
    assert without.json()["type"] == "urn:lzms:problem:idempotency-key-required"
    # A caller without a token is told that first, whatever its key.
    for key in ({}, {"Idempotency-Key": "bad key"}):
        anonymous = await money.client.post(
            f"/v1/awards/{award['id']}/disbursements", json=body, headers=key
        )
        assert anonymous.status_code == 401, anonymous.text
    headers = money.auth("finance_officer", sub="finance-zhang", key="tranche-1")
    first = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements", json=body, headers=headers
    )
    retry = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements", json=body, headers=headers
    )
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json={**body, "amount_fen": 2_000_000},
        headers=headers,
    )
    assert other.status_code == 422
    assert (await money.account(f"in_transit:{award['id']}"))["balance"] == 1_000_000


async def test_a_revoked_space_is_paid_nothing_more(money: Money) -> None:
    award, space = await _approved_award(money)
    from datetime import date

    space.history.append((date(2026, 5, 6), "revoked"))
    refused = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json={"amount_fen": 100, "payee_name": "x", "payee_account": "6222 0000"},
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:lzms:problem:space-revoked"
    money.registry.down = True
    down = await money.client.post(
        f"/v1/awards/{award['id']}/disbursements",
        json={"amount_fen": 100, "payee_name": "x", "payee_account": "6222 0000"},
        headers=money.preparer_headers(),
    )
    assert down.status_code == 503
