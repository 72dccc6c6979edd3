"""Pushing outbox events to each subscriber, in sequence order, at least once.

For each subscriber the dispatcher reads the events after its cursor and POSTs each to
``{base}/v1/events/registry`` with the service token and the event id as ``Idempotency-Key``.
A 2xx moves the cursor past that event (a compare-and-set, so two dispatchers never move it
twice); anything else stops that subscriber until a backoff that doubles per failure has
passed, and the next pass starts again from the same event. No transaction is held open while
a subscriber is called. A receiver may see an event more than once, never out of order.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import structlog
from fastapi import FastAPI

from services.registry.config import RegistrySettings
from services.registry.events import repository
from services.registry.events.models import RegistryEventRecord
from shared.background import pause
from shared.db import Database, utcnow
from shared.errors import ProblemError
from shared.http_client import ServiceClient

log = structlog.get_logger(__name__)

PUSH_PATH = "/v1/events/registry"


@dataclass
class DeliveryReport:
    """What one pass did, per subscriber."""

    delivered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, datetime] = field(default_factory=dict)


class EventDispatcher:
    def __init__(
        self,
        database: Database,
        clients: Mapping[str, ServiceClient],
        *,
        batch_size: int = 100,
        retry_seconds: float = 2.0,
        retry_max_seconds: float = 300.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._clients = dict(clients)
        self._batch = batch_size
        self._retry = retry_seconds
        self._retry_max = retry_max_seconds
        self._clock = clock

    @classmethod
    def for_app(
        cls,
        app: FastAPI,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> EventDispatcher:
        """A dispatcher for the app's subscribers, database and service token."""
        settings: RegistrySettings = app.state.settings
        token = app.state.service_token.token
        clients = {
            name: ServiceClient(
                name,
                base_url,
                token,
                timeout_seconds=settings.http_timeout_seconds,
                retries=0,  # the dispatcher's own backoff retries, across passes
                transport=transport,
            )
            for name, base_url in settings.event_subscribers.items()
        }
        return cls(
            app.state.database,
            clients,
            batch_size=settings.event_batch_size,
            retry_seconds=settings.event_retry_seconds,
            retry_max_seconds=settings.event_retry_max_seconds,
            clock=clock,
        )

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def deliver_once(self) -> DeliveryReport:
        """One pass: each subscriber gets its pending events until caught up or one fails."""
        report = DeliveryReport()
        for name, client in self._clients.items():
            await self._deliver_to(name, client, report)
        return report

    async def run(self, poll_seconds: float, app: FastAPI | None = None) -> None:
        """Deliver a pass every ``poll_seconds``, until ``app`` stops (or until cancelled)."""
        while True:
            try:
                await self.deliver_once()
            except Exception:  # a bad pass (database down) must not end the loop
                log.exception("event_dispatch_failed")
            if app is None:
                await asyncio.sleep(poll_seconds)
            elif not await pause(app, poll_seconds):
                return

    async def _deliver_to(self, name: str, client: ServiceClient, report: DeliveryReport) -> None:
        now = self._clock()
        async with self._database.session() as session:
            cursor = await repository.cursor(session, name, now)
            failures = cursor.failures
            if cursor.next_attempt_at is not None and cursor.next_attempt_at > now:
                report.waiting[name] = cursor.next_attempt_at
                await session.commit()
                return
            pending = await repository.after(session, cursor.delivered_through, self._batch)
            await session.commit()
        delivered = 0
        for event in pending:
            attempts = failures + 1 if delivered == 0 else 1
            outcome = await self._push(client, event)
            now = self._clock()
            async with self._database.session() as session:
                if isinstance(outcome, int):
                    moved = await repository.acknowledge(
                        session,
                        name,
                        event.sequence,
                        status_code=outcome,
                        attempts=attempts,
                        now=now,
                    )
                else:
                    moved = False
                    delay = min(self._retry * 2 ** min(failures, 30), self._retry_max)
                    retry_at = now + timedelta(seconds=delay)
                    await repository.record_failure(
                        session, name, event.sequence, error=outcome, retry_at=retry_at, now=now
                    )
                    report.failed[name] = outcome
                    log.warning(
                        "event_delivery_failed",
                        subscriber=name,
                        sequence=event.sequence,
                        error=outcome,
                        retry_at=retry_at.isoformat(),
                    )
                await session.commit()
            if not moved:
                break
            delivered += 1
        if delivered:
            report.delivered[name] = delivered
            log.info("events_delivered", subscriber=name, count=delivered)

    async def _push(self, client: ServiceClient, event: RegistryEventRecord) -> int | str:
        """The 2xx status the subscriber answered, or why the delivery failed."""
        try:
            response = await client.request(
                "POST",
                PUSH_PATH,
                json=json.loads(event.payload),
                headers={"Idempotency-Key": str(event.event_id)},
            )
        except ProblemError as exc:
            return exc.detail
        if not 200 <= response.status_code < 300:
            return f"HTTP {response.status_code} (a 2xx acknowledges an event)"
        return response.status_code


async def run_dispatcher(app: FastAPI) -> None:
    """The registry app's background task: push events to the configured subscribers."""
    settings: RegistrySettings = app.state.settings
    dispatcher = EventDispatcher.for_app(app, transport=getattr(app.state, "event_transport", None))
    try:
        await dispatcher.run(settings.event_poll_seconds, app)
    finally:
        await dispatcher.aclose()
