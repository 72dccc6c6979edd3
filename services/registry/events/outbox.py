"""Writing an event to the outbox, in the transaction of the act it reports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.events.models import RegistryEventRecord
from services.registry.spaces.models import Space
from shared.contracts.events import (
    ApplicationDecided,
    PublicityClosed,
    PublicityOpened,
    SpaceAssessed,
    SpaceLevelRecorded,
    SpaceMoved,
    SpaceRecognised,
    SpaceRectificationEnded,
    SpaceRectificationOrdered,
    SpaceRevoked,
)
from shared.contracts.jurisdictions import JurisdictionCode
from shared.db import utcnow

AnyEvent = (
    SpaceRecognised
    | SpaceLevelRecorded
    | SpaceAssessed
    | SpaceRevoked
    | SpaceRectificationOrdered
    | SpaceRectificationEnded
    | SpaceMoved
    | ApplicationDecided
    | PublicityOpened
    | PublicityClosed
)

# Held to the end of the transaction: sequences are taken one writer at a time, so they
# commit in order and a feed reader never sees a smaller sequence appear after a larger one.
_OUTBOX_LOCK_KEY = 0x4C5A4D534F  # "LZMSO"


async def publish(
    session: AsyncSession,
    event_type: type[AnyEvent],
    space: Space,
    *,
    occurred_on: date,
    document_no: str,
    **fields: Any,
) -> AnyEvent:
    """Build the event about ``space`` and append it to the outbox; returns the event."""
    event = event_type(
        event_id=uuid.uuid4(),
        occurred_on=occurred_on,
        recorded_at=utcnow(),
        space_id=space.id,
        jurisdiction_code=JurisdictionCode(space.jurisdiction_code),
        form=space.form,
        document_no=document_no,
        **fields,
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_OUTBOX_LOCK_KEY)))
    last = (await session.execute(sa.select(sa.func.max(RegistryEventRecord.sequence)))).scalar()
    session.add(
        RegistryEventRecord(
            sequence=(last or 0) + 1,
            event_id=event.event_id,
            type=event.type,
            space_id=space.id,
            payload=event.model_dump_json(),
            recorded_at=event.recorded_at,
        )
    )
    await session.flush()
    return event
