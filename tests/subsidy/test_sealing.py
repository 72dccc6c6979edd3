"""Verification sees every committed entry chained, even while the background sealer is busy."""

from __future__ import annotations

import asyncio

import pytest

from services.subsidy.ledger import service as ledger
from tests.subsidy.conftest import Money


@pytest.mark.backends("postgresql")
async def test_verification_waits_for_a_busy_sealer(money: Money, subsidy_app) -> None:
    database = subsidy_app.state.database
    await money.appropriate(1_000_000)
    assert (await money.verify())["entries"] == 1
    await money.appropriate(2_000_000)  # committed, not chained yet
    busy = database.session()
    session = await busy.__aenter__()
    try:
        # Another sealer (the background one) has taken the chain and not committed yet.
        assert await ledger.seal(session) == 1
        passing = await ledger.seal_all(database)  # the background sealer's way: passes over
        assert passing == 0
        verifying = asyncio.create_task(money.verify())
        await asyncio.sleep(0.5)
        assert not verifying.done()  # verification waits for the busy sealer's commit
        await session.commit()
    finally:
        await busy.__aexit__(None, None, None)
    report = await asyncio.wait_for(verifying, 10)
    assert (report["intact"], report["entries"], report["unsealed"]) == (True, 2, 0)
