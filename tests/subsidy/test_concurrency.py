"""On PostgreSQL, many requests at once: the row locks, not luck, keep the invariants."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest

from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import EntryKind
from tests.subsidy.conftest import Money

pytestmark = pytest.mark.backends("postgresql")

AWARD = 20_000_000
TRANCHE = 150_000  # 200 of them would be 30,000,000: only 133 fit (19,950,000)


async def test_200_concurrent_tranches_against_one_award(money: Money) -> None:
    await money.appropriate(AWARD)
    award = await money.award(money.registry.add())
    body = {"amount_fen": TRANCHE, "payee_name": "兰州某运营公司", "payee_account": "6222 0000"}
    responses = await asyncio.gather(
        *(
            money.client.post(
                f"/v1/awards/{award['id']}/disbursements",
                json=body,
                headers=money.preparer_headers(),
            )
            for _ in range(200)
        )
    )
    statuses = Counter(r.status_code for r in responses)
    fits = AWARD // TRANCHE
    assert statuses == {201: fits, 409: 200 - fits}, statuses
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {p["type"] for p in refused} == {"urn:lzms:problem:award-exceeded"}
    tranche_numbers = sorted(r.json()["tranche_no"] for r in responses if r.status_code == 201)
    assert tranche_numbers == list(range(1, fits + 1))
    assert (await money.account(f"in_transit:{award['id']}"))["balance"] == fits * TRANCHE
    assert (await money.account(f"committed:{award['id']}"))["balance"] == AWARD - fits * TRANCHE
    report = await money.verify()
    assert report["intact"] is True
    assert report["entries"] == 2 + fits  # appropriation, award, one per tranche


async def test_50_concurrent_retries_of_one_key_pay_once(money: Money) -> None:
    await money.appropriate(AWARD)
    award = await money.award(money.registry.add())
    body = {"amount_fen": 1_000_000, "payee_name": "兰州某运营公司", "payee_account": "6222 0000"}
    headers = money.auth("finance_officer", sub="finance-zhang", key="pay-once-7f3a")
    responses = await asyncio.gather(
        *(
            money.client.post(f"/v1/awards/{award['id']}/disbursements", json=body, headers=headers)
            for _ in range(50)
        )
    )
    assert {r.status_code for r in responses} == {201}, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("Idempotent-Replayed") == "true") == 49
    tranches = await money.client.get(
        f"/v1/awards/{award['id']}/disbursements", headers=money.auth("auditor", key=False)
    )
    assert len(tranches.json()) == 1
    assert (await money.account(f"in_transit:{award['id']}"))["balance"] == 1_000_000


async def test_a_posting_cancelled_while_it_waits_for_a_lock_leaves_nothing_behind(
    money: Money, subsidy_app
) -> None:
    await money.appropriate(1_000_000)
    database = subsidy_app.state.database
    top_up = ledger.Draft(
        kind=EntryKind.APPROPRIATION,
        effective_on=date(2026, 1, 20),
        memo="追加",
        legs=[ledger.Leg("budget:2026", "appropriation:2026", 100)],
        fiscal_year=2026,
    )

    async def post_once() -> None:
        async with database.session() as session:
            await ledger.post(session, top_up, "finance-zhang")
            await session.commit()

    async with database.session() as holder:
        await ledger.post(holder, top_up, "finance-zhang")  # holds both accounts' row locks
        waiting = asyncio.create_task(post_once())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await holder.commit()
    # The pool hands out no connection left mid-statement: postings on every one still work.
    await asyncio.gather(*(post_once() for _ in range(30)))
    async with database.session() as session:
        assert await ledger.balance(session, "budget:2026") == 1_000_000 + 31 * 100
    report = await money.verify()
    assert (report["intact"], report["entries"]) == (True, 32)
