"""Payment instructions: created (money reserved) → sent → confirmed (paid) or failed (the
reservation returns to the award). Never more than the award in total: the award's
undisbursed account is row-locked and may not go below zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.awards import service as awards
from services.subsidy.awards.models import Award, AwardStatus
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.disbursements.models import (
    Disbursement,
    DisbursementMethod,
    DisbursementStatus,
)
from services.subsidy.disbursements.schemas import ConfirmIn, DisbursementIn, SendIn
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import AccountKind, EntryKind
from services.subsidy.money import yuan
from services.subsidy.scope import sees
from shared.auth import Principal
from shared.contracts.spaces import SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, NotFound, RequestInvalid
from shared.timezone import future_date_errors, today_in_china


class DisbursementNotFound(NotFound):
    slug = "disbursement-not-found"


class AwardExceeded(Conflict):
    slug, title = "award-exceeded", "The tranche exceeds what the award has left"


class DisbursementStatusConflict(Conflict):
    slug, title = "disbursement-status", "The instruction is not in a state that allows this"


def _code(kind: AccountKind, award: Award) -> str:
    return ledger.code_of(kind, award.id)


async def create(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    award_id: uuid.UUID,
    data: DisbursementIn,
) -> Disbursement:
    award = await awards.get(session, principal, award_id)
    # The registry first, before any lock: a revoked space is paid nothing more.
    standing = await registry.get_standing(award.space_id, today_in_china())
    if standing is None or standing.status is SpaceStatus.REVOKED:
        raise awards.SpaceRevoked(
            f"The registry records space {award.space_id} ({award.space_name}) as "
            f"{'unknown' if standing is None else 'revoked'}; no tranche is instructed"
        )
    award = await awards.locked(session, principal, award_id)
    if award.status is not AwardStatus.APPROVED:
        raise awards.AwardStatusConflict(
            f"Award {award.id} is {award.status.value}; tranches are instructed only on an "
            "approved award (a second person approves it first)",
            current_status=award.status.value,
        )
    tranche = 1 + (
        await session.scalar(sa.select(sa.func.count()).where(Disbursement.award_id == award.id))
        or 0
    )
    instruction = Disbursement(
        id=uuid.uuid4(),
        award_id=award.id,
        tranche_no=tranche,
        amount_fen=data.amount_fen,
        method=DisbursementMethod.PAYMENT,
        payee_name=data.payee_name,
        payee_account=data.payee_account,
        status=DisbursementStatus.CREATED,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    session.add(instruction)
    await session.flush()
    await reserve(session, principal.subject, award, instruction, EntryKind.DISBURSEMENT_INSTRUCTED)
    return instruction


async def reserve(
    session: AsyncSession, actor: str, award: Award, instruction: Disbursement, kind: EntryKind
) -> None:
    """Move the instruction's amount out of the award's undisbursed balance, or refuse."""
    try:
        await ledger.post(
            session,
            awards.draft(
                award,
                kind,
                today_in_china(),
                f"{award.space_name} 第{instruction.tranche_no}笔",
                [
                    ledger.Leg(
                        debit=_code(AccountKind.IN_TRANSIT, award),
                        credit=_code(AccountKind.COMMITTED, award),
                        amount=instruction.amount_fen,
                    )
                ],
                disbursement_id=instruction.id,
            ),
            actor,
        )
    except ledger.InsufficientBalance as exc:
        left = int(exc.extensions["available_fen"])
        raise AwardExceeded(
            f"Award {award.id} has {yuan(left)} not yet instructed; this tranche is "
            f"{yuan(instruction.amount_fen)} ({yuan(instruction.amount_fen - left)} too much)",
            undisbursed_fen=left,
            requested_fen=instruction.amount_fen,
        ) from exc


async def _locked(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID
) -> tuple[Award, Disbursement]:
    found = await session.get(Disbursement, disbursement_id)
    if found is None:
        raise DisbursementNotFound(f"No payment instruction {disbursement_id}; check the id")
    try:
        award = await awards.locked(session, principal, found.award_id)
    except awards.AwardNotFound:
        raise DisbursementNotFound(
            f"No payment instruction {disbursement_id}; check the id"
        ) from None
    instruction = await session.scalar(
        sa.select(Disbursement)
        .where(Disbursement.id == disbursement_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert instruction is not None
    return award, instruction


def _expect(instruction: Disbursement, *allowed: DisbursementStatus, act: str) -> None:
    if instruction.status not in allowed:
        raise DisbursementStatusConflict(
            f"Payment instruction {instruction.id} is {instruction.status.value}; it can be "
            f"{act} only when {' or '.join(s.value for s in allowed)}"
            + (
                " (a retry is a new instruction)"
                if instruction.status is DisbursementStatus.FAILED
                else ""
            ),
            current_status=instruction.status.value,
        )


async def send(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID, data: SendIn
) -> Disbursement:
    _, instruction = await _locked(session, principal, disbursement_id)
    _expect(instruction, DisbursementStatus.CREATED, act="sent")
    instruction.status = DisbursementStatus.SENT
    instruction.sent_at = utcnow()
    instruction.sent_by = principal.subject
    instruction.bank_reference = data.bank_reference
    await session.flush()
    return instruction


async def confirm(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID, data: ConfirmIn
) -> Disbursement:
    errors = future_date_errors("body.settled_on", data.settled_on)
    if errors:
        raise RequestInvalid("settled_on is in the future; give the date the money arrived", errors)
    award, instruction = await _locked(session, principal, disbursement_id)
    _expect(instruction, DisbursementStatus.SENT, act="confirmed")
    await ledger.post(
        session,
        awards.draft(
            award,
            EntryKind.DISBURSEMENT_CONFIRMED,
            data.settled_on,
            f"{award.space_name} 第{instruction.tranche_no}笔到账 {data.bank_reference}",
            [
                ledger.Leg(
                    debit=_code(AccountKind.DISBURSED, award),
                    credit=_code(AccountKind.IN_TRANSIT, award),
                    amount=instruction.amount_fen,
                )
            ],
            disbursement_id=instruction.id,
        ),
        principal.subject,
    )
    instruction.status = DisbursementStatus.CONFIRMED
    instruction.settled_on = data.settled_on
    instruction.bank_reference = data.bank_reference
    instruction.ended_at = utcnow()
    instruction.ended_by = principal.subject
    await session.flush()
    # Paid after a revocation for false materials: it is owed back like the rest.
    from services.subsidy.recoveries import service as recoveries

    await recoveries.claim_late_payment(session, principal.subject, award, instruction)
    return instruction


async def fail(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID, reason: str
) -> Disbursement:
    award, instruction = await _locked(session, principal, disbursement_id)
    _expect(instruction, DisbursementStatus.SENT, act="marked failed")
    await end(session, principal.subject, award, instruction, DisbursementStatus.FAILED, reason)
    return instruction


async def cancel(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID, reason: str
) -> Disbursement:
    award, instruction = await _locked(session, principal, disbursement_id)
    _expect(instruction, DisbursementStatus.CREATED, act="cancelled")
    await end(session, principal.subject, award, instruction, DisbursementStatus.CANCELLED, reason)
    return instruction


async def end(
    session: AsyncSession,
    actor: str,
    award: Award,
    instruction: Disbursement,
    status: DisbursementStatus,
    reason: str,
) -> None:
    """Fail or cancel: the amount goes back to the award, or, if the award was cancelled in
    the meantime, on to the year's budget."""
    legs = [
        ledger.Leg(
            debit=_code(AccountKind.COMMITTED, award),
            credit=_code(AccountKind.IN_TRANSIT, award),
            amount=instruction.amount_fen,
        )
    ]
    if award.status is AwardStatus.CANCELLED:
        legs.append(
            ledger.Leg(
                debit=ledger.code_of(AccountKind.BUDGET, award.fiscal_year),
                credit=_code(AccountKind.COMMITTED, award),
                amount=instruction.amount_fen,
            )
        )
    await ledger.post(
        session,
        awards.draft(
            award,
            EntryKind.DISBURSEMENT_RELEASED,
            today_in_china(),
            f"{status.value}: {reason}",
            legs,
            disbursement_id=instruction.id,
        ),
        actor,
    )
    instruction.status = status
    instruction.ended_at = utcnow()
    instruction.ended_by = actor
    instruction.end_reason = reason
    await session.flush()


async def get(
    session: AsyncSession, principal: Principal, disbursement_id: uuid.UUID
) -> Disbursement:
    instruction = await session.get(Disbursement, disbursement_id)
    if instruction is not None:
        award = await session.get(Award, instruction.award_id)
        if award is not None and await sees(
            session, principal, award.space_id, award.jurisdiction_code
        ):
            return instruction
    raise DisbursementNotFound(f"No payment instruction {disbursement_id}; check the id")


async def of_award(
    session: AsyncSession, principal: Principal, award_id: uuid.UUID
) -> Sequence[Disbursement]:
    await awards.get(session, principal, award_id)
    return (
        await session.scalars(
            sa.select(Disbursement)
            .where(Disbursement.award_id == award_id)
            .order_by(Disbursement.tranche_no)
        )
    ).all()
