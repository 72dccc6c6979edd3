"""What a registry event does to the money, once.

A recognition, a national filing or an 优秀 assessment puts the award the policy gives on the
worklist. A revocation cancels what was not paid; for false materials it also opens a recovery
case for everything paid. A move to another jurisdiction (属地变更) is recorded as the space's
current jurisdiction, which decides from then on which district sees its money
(services.subsidy.scope). A rectification ordered or ended is recorded and moves no money.
The event's id is recorded in the same transaction as its effects, so a redelivery finds it
and does nothing, and two deliveries racing cannot both apply.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.awards import service as awards
from services.subsidy.awards.models import (
    Award,
    AwardKind,
    AwardProposal,
    AwardStatus,
    ProposalStatus,
)
from services.subsidy.events.models import ReceivedEvent, SpaceMove
from services.subsidy.policies.loader import shipped
from services.subsidy.recoveries import service as recoveries
from services.subsidy.recoveries.models import RecoveryGround
from shared.auth import Principal
from shared.contracts.events import (
    RegistryEvent,
    RevocationReason,
    SpaceAssessed,
    SpaceLevelRecorded,
    SpaceMoved,
    SpaceRecognised,
    SpaceRectificationEnded,
    SpaceRectificationOrdered,
    SpaceRevoked,
)
from shared.db import utcnow

# 缴回期限 for a case opened on a revocation: the bureau may set another in its notice.
RECOVERY_DUE_DAYS = 30


class EventReceipt(BaseModel):
    event_id: uuid.UUID
    duplicate: bool = Field(description="True when this event was received before")
    outcome: str = Field(description="What the event did (the first time)")
    received_at: datetime


async def receive(
    session: AsyncSession, principal: Principal, event: RegistryEvent
) -> EventReceipt:
    seen = await session.get(ReceivedEvent, event.event_id)
    if seen is not None:
        return EventReceipt(
            event_id=seen.event_id,
            duplicate=True,
            outcome=seen.outcome,
            received_at=seen.received_at,
        )
    if isinstance(event, SpaceRevoked):
        outcome = await _revoked(session, principal.subject, event)
    elif isinstance(event, SpaceRecognised):
        outcome = await _propose(session, event, "space.recognised")
    elif isinstance(event, SpaceLevelRecorded):
        outcome = await _propose(session, event, f"space.level_recorded:{event.level.value}")
    elif isinstance(event, SpaceMoved):
        outcome = await _moved(session, event)
    elif isinstance(event, SpaceRectificationOrdered | SpaceRectificationEnded):
        outcome = f"{event.type} recorded; no money moves"
    elif isinstance(event, SpaceAssessed):
        outcome = await _propose(session, event, f"space.assessed:{event.grade.value}")
    else:  # the recognition procedure's steps: subsidies follow only its outcome
        outcome = f"{event.type}: no effect on subsidies"
    received = ReceivedEvent(
        event_id=event.event_id,
        type=event.type,
        space_id=event.space_id,
        occurred_on=event.occurred_on,
        payload=event.model_dump_json(),
        outcome=outcome[:1000],
        received_at=utcnow(),
        received_from=principal.subject,
    )
    session.add(received)
    await session.flush()
    return EventReceipt(
        event_id=event.event_id,
        duplicate=False,
        outcome=received.outcome,
        received_at=received.received_at,
    )


async def _propose(
    session: AsyncSession,
    event: SpaceRecognised | SpaceLevelRecorded | SpaceAssessed,
    trigger: str,
) -> str:
    year = event.occurred_on.year
    policy = shipped().for_year(year)
    if policy is None:
        return f"no award policy for {year}: nothing proposed"
    rules = policy.proposed_by(trigger)
    if not rules:
        return f"the {policy.id} policy gives no award for {trigger}"
    proposed = []
    for kind, rule in rules:
        assert rule.amount_fen is not None
        already = await _already_proposed(session, event, kind, year)
        if already is not None:
            proposed.append(f"{kind.value} not proposed again ({already})")
            continue
        proposal = AwardProposal(
            id=uuid.uuid4(),
            event_id=event.event_id,
            event_type=event.type,
            event_document_no=event.document_no,
            occurred_on=event.occurred_on,
            space_id=event.space_id,
            jurisdiction_code=event.jurisdiction_code.value,
            space_form=event.form,
            kind=kind,
            fiscal_year=year,
            amount_fen=rule.amount_fen[event.form],
            policy_id=policy.id,
            status=ProposalStatus.OPEN,
            created_at=utcnow(),
        )
        session.add(proposal)
        proposed.append(f"proposed {kind.value} {proposal.amount_fen} fen (proposal {proposal.id})")
    await session.flush()
    return "; ".join(proposed)


async def _already_proposed(
    session: AsyncSession,
    event: SpaceRecognised | SpaceLevelRecorded | SpaceAssessed,
    kind: AwardKind,
    year: int,
) -> str | None:
    """A repeated fact (a corrected assessment, a level granted again) proposes nothing new
    while the year's proposal of that kind is open or confirmed, or an award of it is live."""
    proposal = await session.scalar(
        sa.select(AwardProposal.id).where(
            AwardProposal.space_id == event.space_id,
            AwardProposal.kind == kind,
            AwardProposal.fiscal_year == year,
            AwardProposal.status.in_([ProposalStatus.OPEN, ProposalStatus.CONFIRMED]),
        )
    )
    if proposal is not None:
        return f"proposal {proposal} of {year} stands"
    award = await session.scalar(
        sa.select(Award.id).where(
            Award.space_id == event.space_id,
            Award.kind == kind,
            Award.fiscal_year == year,
            Award.status.in_([AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED]),
        )
    )
    return None if award is None else f"award {award} of {year} is live"


async def _moved(session: AsyncSession, event: SpaceMoved) -> str:
    known = await session.scalar(
        sa.select(SpaceMove).where(
            SpaceMove.space_id == event.space_id, SpaceMove.move_no == event.move_no
        )
    )
    if known is not None:
        return f"move {event.move_no} of the space is known already (event {known.event_id})"
    session.add(
        SpaceMove(
            event_id=event.event_id,
            space_id=event.space_id,
            move_no=event.move_no,
            from_code=event.from_code.value,
            to_code=event.to_code.value,
            moved_on=event.occurred_on,
            document_no=event.document_no,
            received_at=utcnow(),
        )
    )
    await session.flush()
    latest = await session.scalar(
        sa.select(sa.func.max(SpaceMove.move_no)).where(SpaceMove.space_id == event.space_id)
    )
    if latest != event.move_no:
        return (
            f"move {event.move_no} ({event.from_code.value} -> {event.to_code.value}) recorded; "
            f"move {latest} is later and stands"
        )
    return (
        f"move {event.move_no} recorded: the space's money is seen by {event.to_code.value} "
        f"from now on, no longer by {event.from_code.value}"
    )


async def _revoked(session: AsyncSession, actor: str, event: SpaceRevoked) -> str:
    reason = f"recognition revoked ({event.reason.value}, {event.document_no})"
    live = (
        await session.scalars(
            sa.select(Award)
            .where(
                Award.space_id == event.space_id,
                Award.status.in_([AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED]),
            )
            .order_by(Award.id)
            .with_for_update()
        )
    ).all()
    released = 0
    for award in live:
        released += await awards.cancel(session, actor, award, reason)
    open_proposals = (
        await session.scalars(
            sa.select(AwardProposal)
            .where(
                AwardProposal.space_id == event.space_id,
                AwardProposal.status == ProposalStatus.OPEN,
            )
            .with_for_update()
        )
    ).all()
    for proposal in open_proposals:
        proposal.status = ProposalStatus.DECLINED
        proposal.decided_at = utcnow()
        proposal.decided_by = actor
        proposal.decline_reason = reason
    await session.flush()
    outcome = (
        f"{len(live)} award(s) cancelled, {released} fen not paid released to the budget, "
        f"{len(open_proposals)} proposal(s) declined"
    )
    if event.reason is not RevocationReason.FALSE_MATERIALS:
        return outcome + "; no recovery (not revoked for false materials)"
    case = await recoveries.open_case(
        session,
        actor,
        space_id=event.space_id,
        ground=RecoveryGround.FALSE_MATERIALS,
        legal_basis=event.legal_basis,
        document_no=event.document_no,
        determined_on=event.occurred_on,
        due_on=event.occurred_on + timedelta(days=RECOVERY_DUE_DAYS),
        amount=None,
        event_id=event.event_id,
    )
    if case is None:
        return outcome + "; nothing had been paid, so no recovery case"
    return outcome + f"; recovery case {case.id} opened"
