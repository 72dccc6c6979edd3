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
