"""HTTP for the event feed: what a subscriber reads to catch up on missed pushes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import event_readers
from services.registry.events import repository
from services.registry.events.schemas import EventEnvelope, EventFeed, SubscriberProgress
from shared.auth import Principal
from shared.contracts.events import RegistryEvent
from shared.errors import FieldError, RequestInvalid, problem_responses
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/events",
    tags=["events · 事件"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)

_EVENT: TypeAdapter[RegistryEvent] = TypeAdapter(RegistryEvent)


@router.get(
    "",
    response_model=EventFeed,
    summary="The registry's events in order · 事件流",
    description=(
        "Every event the registry has recorded (space.recognised, space.level_recorded, "
        "space.assessed, space.rectification_ordered, space.rectification_ended, "
        "space.revoked, space.moved; each described in the `RegistryEvent` schemas), in "
        "sequence order, after `after`. The same events "
        "are pushed to each configured subscriber at `POST {base}/v1/events/registry`; a "
        "subscriber that missed some reads them here. Events concern every jurisdiction, so "
        "the feed is for services, the bureau and auditors."
    ),
)
async def list_events(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(event_readers)],
    after: Annotated[int, Query(ge=0, description="The last sequence you have; 0 for all")] = 0,
    limit: Annotated[int, Query(ge=1, description="At most max_page_size (200)")] = 100,
) -> EventFeed:
    maximum = request.app.state.settings.max_page_size
    if limit > maximum:
        message = f"at most {maximum} events per page; page on with `after`"
        raise RequestInvalid(
            f"limit: {message}",
            [FieldError(field="query.limit", message=message, type="value_error")],
        )
    rows = await repository.after(session, after, limit)
    return EventFeed(
        items=[
            EventEnvelope(
                sequence=row.sequence,
                recorded_at=row.recorded_at,
                event=_EVENT.validate_json(row.payload),
            )
            for row in rows
        ],
        last_sequence=rows[-1].sequence if rows else None,
    )


@router.get(
    "/subscribers",
    response_model=list[SubscriberProgress],
    summary="Delivery to each subscriber · 事件推送进度",
    description="Each subscriber configured in REGISTRY_EVENT_SUBSCRIBERS: how far it has "
    "acknowledged, what is pending, and the last failure if delivery is retrying.",
)
async def list_subscribers(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(event_readers)],
) -> list[SubscriberProgress]:
    names = sorted(request.app.state.settings.event_subscribers)
    last = await repository.last_sequence(session)
    found = await repository.cursors(session, names)
    progress = []
    for name in names:
        cursor = found.get(name)
        through = cursor.delivered_through if cursor else 0
        progress.append(
            SubscriberProgress(
                subscriber=name,
                delivered_through=through,
                pending=last - through,
                failures=cursor.failures if cursor else 0,
                next_attempt_at=cursor.next_attempt_at if cursor else None,
                last_error=cursor.last_error if cursor else None,
            )
        )
    return progress
