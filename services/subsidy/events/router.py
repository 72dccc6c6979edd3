"""HTTP for the registry's events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import event_senders
from services.subsidy.events import service
from services.subsidy.events.service import EventReceipt
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.events import RegistryEvent
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/events",
    tags=["events · 登记事件"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 409, 422),
)


@router.post(
    "/registry",
    response_model=EventReceipt,
    summary="Receive a registry event · 接收登记事件",
    description=(
        "The registry delivers each event at least once; the event id makes it count once. "
        "A redelivery answers 200 with `duplicate: true` and the first outcome. A recognition, "
        "national filing or 优秀 assessment proposes the policy's award on the worklist; a "
        "revocation cancels what was not paid and, for false materials, opens a recovery case "
        "for everything paid. A move to another jurisdiction (`space.moved`) hands the space's "
        "awards, payments, cases and statement to the new district; rectification events are "
        "recorded."
    ),
)
async def receive_registry_event(
    event: RegistryEvent,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(event_senders)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> EventReceipt:
    audit.about("registry_event", event.event_id, type=event.type, space_id=str(event.space_id))
    return await service.receive(session, principal, event)
