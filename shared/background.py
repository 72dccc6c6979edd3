"""Work a service runs beside its requests, and how it stops: between passes, not inside one.

A background loop that is cancelled in the middle of a database call leaves the driver to
finish that call after the app (and in tests the event loop) has gone: aiosqlite's worker
thread then reports a closed event loop, and a pooled connection is closed under a query. So at
shutdown the app first says it is stopping; each loop sees that at its next pause and returns
after the pass it is in. Only a loop still busy after ``STOP_GRACE_SECONDS`` is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from fastapi import FastAPI

STOP_GRACE_SECONDS = 10.0


def stopping(app: FastAPI) -> asyncio.Event:
    """The app's stop signal (made on first use, so a loop run without the factory works)."""
    event: asyncio.Event | None = getattr(app.state, "stopping", None)
    if event is None:
        event = app.state.stopping = asyncio.Event()
    return event


async def pause(app: FastAPI, seconds: float) -> bool:
    """Wait ``seconds``; False at once if the app is stopping (the caller's loop then ends)."""
    try:
        await asyncio.wait_for(stopping(app).wait(), seconds)
    except TimeoutError:
        return True
    return False


async def stop(app: FastAPI, tasks: Sequence[asyncio.Task[None]]) -> None:
    """Signal the loops to stop, let them finish their pass, cancel any still busy."""
    stopping(app).set()
    if not tasks:
        return
    _, busy = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
    for task in busy:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
