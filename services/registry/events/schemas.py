"""The event feed as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.contracts.events import RegistryEvent


class EventEnvelope(BaseModel):
    sequence: int = Field(description="The event's place in the registry's order (1, 2, ...)")
    recorded_at: datetime
    event: RegistryEvent = Field(description="Exactly what subscribers receive as the push body")


class EventFeed(BaseModel):
    items: list[EventEnvelope]
    last_sequence: int | None = Field(
        description="The last sequence on this page: pass it as `after` for the next page; "
        "null when the page is empty (ask again later with the same `after`)"
    )


class SubscriberProgress(BaseModel):
    """How far a configured subscriber has acknowledged the events, and why it is stuck if it is."""

    subscriber: str
    delivered_through: int = Field(description="The last sequence it acknowledged (0: none)")
    pending: int = Field(description="Events recorded after that")
    failures: int = Field(description="Failed attempts at the next event, since the last success")
    next_attempt_at: datetime | None
    last_error: str | None
