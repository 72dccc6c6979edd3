"""Background loops stop between passes: a pass under way finishes; only a loop still busy
after the grace period is cancelled."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from shared import background


async def test_a_pass_under_way_finishes_and_the_loop_ends_at_its_next_pause() -> None:
    app = FastAPI()
    events: list[str] = []
    in_pass = asyncio.Event()

    async def loop() -> None:
        while True:
            events.append("pass started")
            in_pass.set()
            await asyncio.sleep(0.05)  # the pass's own work (a database call, say)
            events.append("pass finished")
            if not await background.pause(app, 3600):
                events.append("loop ended")
                return

    task = asyncio.create_task(loop())
    await in_pass.wait()
    await background.stop(app, [task])
    assert events == ["pass started", "pass finished", "loop ended"]
    assert not task.cancelled()


async def test_a_loop_still_busy_after_the_grace_period_is_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "STOP_GRACE_SECONDS", 0.05)
    app = FastAPI()

    async def stuck() -> None:
        await asyncio.sleep(3600)

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    await background.stop(app, [task])
    assert task.cancelled()


async def test_pause_waits_until_the_app_stops() -> None:
    app = FastAPI()
    assert await background.pause(app, 0.01) is True
    background.stopping(app).set()
    assert await background.pause(app, 3600) is False
