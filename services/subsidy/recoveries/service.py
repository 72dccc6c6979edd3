"""Recovering funds: a case claims back what was paid (never more), and is settled by
repayments, offsets against a later tranche of the same operator, or a write-off approved by a
second person.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.subsidy.awards import service as awards
from services.subsidy.awards.models import Award, AwardStatus
from services.subsidy.disbursements.models import (
    Disbursement,
    DisbursementMethod,
    DisbursementStatus,
)
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import Account, AccountKind, EntryKind, JournalEntry
from services.subsidy.listing import scoped_page
from services.subsidy.money import yuan
from services.subsidy.recoveries.models import (
    CaseStatus,
    RecoveryCase,
    RecoveryGround,
    Settlement,
    SettlementKind,
)
from services.subsidy.recoveries.schemas import (
    CaseOut,
    MisuseCaseIn,
    OffsetIn,
    RepaymentIn,
    SettlementOut,
)
from services.subsidy.scope import jurisdiction_of, sees
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china


class CaseNotFound(NotFound):
    slug = "recovery-case-not-found"


class RecoveryExceedsPaid(Conflict):
    slug, title = "recovery-exceeds-paid", "A recovery may not exceed what was paid"


class SettlementExceedsOutstanding(Conflict):
    slug, title = "settlement-exceeds-outstanding", "More than is outstanding on the case"


class CaseStatusConflict(Conflict):
    slug, title = "recovery-case-status", "The case is not in a state that allows this"


class OffsetNotAllowed(Conflict):
    slug, title = "offset-not-allowed", "The tranche cannot be offset against this case"


def _codes(case_id: uuid.UUID) -> tuple[str, str, str]:
    return (
        ledger.code_of(AccountKind.RECEIVABLE, case_id),
        ledger.code_of(AccountKind.RECOVERED, case_id),
        ledger.code_of(AccountKind.WRITTEN_OFF, case_id),
    )


def _dates(*pairs: tuple[str, date]) -> None:
    errors = [e for field, value in pairs for e in future_date_errors(field, value)]
    if errors:
        raise RequestInvalid("A date is in the future; give the date it happened", errors)


async def _paid_by_award(session: AsyncSession, space_id: uuid.UUID) -> list[tuple[Award, int]]:
    """The space's awards with what was paid on each and not yet claimed back, oldest first."""
    rows = await session.execute(
        sa.select(Award, Account)
        .join(
            Account,
            sa.and_(Account.award_id == Award.id, Account.kind == AccountKind.DISBURSED),
        )
        .where(Award.space_id == space_id)
        .order_by(Award.decided_on, Award.created_at, Award.id)
    )
    return [(award, account.balance) for award, account in rows if account.balance > 0]


async def open_case(
    session: AsyncSession,
    actor: str,
    *,
    space_id: uuid.UUID,
    ground: RecoveryGround,
    legal_basis: str,
    document_no: str,
    determined_on: date,
    due_on: date,
    amount: int | None,
    event_id: uuid.UUID | None = None,
) -> RecoveryCase | None:
    """Open a case claiming ``amount`` (None: everything paid) back from the space's awards,
    oldest first. Returns None when ``amount`` is None and nothing was paid."""
    paid = await _paid_by_award(session, space_id)
    total = sum(balance for _, balance in paid)
    if amount is None:
        if total == 0:
            return None
        amount = total
    if amount > total:
        raise RecoveryExceedsPaid(
            f"Space {space_id} was paid {yuan(total)} that is not already claimed back; a "
            f"recovery of {yuan(amount)} is {yuan(amount - total)} more than that",
            paid_fen=total,
            requested_fen=amount,
        )
    first = paid[0][0]
    case = RecoveryCase(
        id=uuid.uuid4(),
        space_id=space_id,
        jurisdiction_code=first.jurisdiction_code,
        operator_id=first.operator_id,
        ground=ground,
        legal_basis=legal_basis,
        document_no=document_no,
        determined_on=determined_on,
        due_on=due_on,
        event_id=event_id,
        status=CaseStatus.OPEN,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(case)
    await session.flush()
    for kind in (AccountKind.RECEIVABLE, AccountKind.RECOVERED, AccountKind.WRITTEN_OFF):
        await ledger.open_account(session, kind, case.id, case_id=case.id)
    legs, left = [], amount
    for award, balance in paid:
        take = min(balance, left)
        legs.append(
            ledger.Leg(_codes(case.id)[0], ledger.code_of(AccountKind.DISBURSED, award.id), take)
        )
        left -= take
        if left == 0:
            break
    await ledger.post(
        session,
        ledger.Draft(
            kind=EntryKind.RECOVERY_DETERMINED,
            effective_on=determined_on,
            memo=f"{ground.value}: {legal_basis}",
            legs=legs,
            space_id=space_id,
            jurisdiction_code=case.jurisdiction_code,
            case_id=case.id,
            document_no=document_no,
        ),
        actor,
    )
    return case


async def open_misuse_case(
    session: AsyncSession, principal: Principal, data: MisuseCaseIn
) -> RecoveryCase:
    _dates(("body.determined_on", data.determined_on))
    if data.due_on < data.determined_on:
        raise RequestInvalid(
            "due_on is before determined_on; the deadline to repay follows the determination",
            [
                FieldError(
                    field="body.due_on",
                    message="must be on or after determined_on",
                    type="value_error",
                )
            ],
        )
    case = await open_case(
        session,
        principal.subject,
        space_id=data.space_id,
        ground=RecoveryGround.MISUSE,
        legal_basis=data.legal_basis,
        document_no=data.document_no,
        determined_on=data.determined_on,
        due_on=data.due_on,
        amount=data.amount_fen,
    )
    assert case is not None
    return case


async def claim_late_payment(
    session: AsyncSession, actor: str, award: Award, instruction: Disbursement
) -> None:
    """A tranche confirmed after its space was revoked for false materials is owed back too."""
    case = await session.scalar(
        sa.select(RecoveryCase)
        .where(
            RecoveryCase.space_id == award.space_id,
            RecoveryCase.ground == RecoveryGround.FALSE_MATERIALS,
        )
        .order_by(RecoveryCase.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if case is None:
        return
    await ledger.post(
        session,
        ledger.Draft(
            kind=EntryKind.RECOVERY_DETERMINED,
            effective_on=today_in_china(),
            memo=f"paid after revocation: tranche {instruction.tranche_no} of award {award.id}",
            legs=[
                ledger.Leg(
                    _codes(case.id)[0],
                    ledger.code_of(AccountKind.DISBURSED, award.id),
                    instruction.amount_fen,
                )
            ],
            space_id=case.space_id,
            jurisdiction_code=case.jurisdiction_code,
            case_id=case.id,
            disbursement_id=instruction.id,
            document_no=case.document_no,
        ),
        actor,
    )
    await refresh_status(session, case)


async def locked(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> RecoveryCase:
    case = await session.scalar(
        sa.select(RecoveryCase)
        .where(RecoveryCase.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if case is None or not await sees(session, principal, case.space_id, case.jurisdiction_code):
        raise CaseNotFound(f"No recovery case {case_id} within your jurisdiction; check the id")
    return case


async def _settle(
    session: AsyncSession,
    principal: Principal,
    case: RecoveryCase,
    kind: SettlementKind,
    amount: int,
    on: date,
    reference: str,
    extra_legs: Sequence[ledger.Leg] = (),
    disbursement_id: uuid.UUID | None = None,
    approved_by: str | None = None,
) -> Settlement:
    receivable, recovered, written_off = _codes(case.id)
    target = written_off if kind is SettlementKind.WRITE_OFF else recovered
    entry_kind = {
        SettlementKind.REPAYMENT: EntryKind.REPAYMENT,
        SettlementKind.OFFSET: EntryKind.OFFSET,
        SettlementKind.WRITE_OFF: EntryKind.WRITE_OFF,
    }[kind]
    try:
        entry = await ledger.post(
            session,
            ledger.Draft(
                kind=entry_kind,
                effective_on=on,
                memo=f"{kind.value} {reference}",
                legs=[*extra_legs, ledger.Leg(target, receivable, amount)],
                space_id=case.space_id,
                jurisdiction_code=case.jurisdiction_code,
                case_id=case.id,
                disbursement_id=disbursement_id,
                document_no=reference,
            ),
            principal.subject,
        )
    except ledger.InsufficientBalance as exc:
        if exc.extensions["account"] != receivable:
            raise
        left = int(exc.extensions["available_fen"])
        raise SettlementExceedsOutstanding(
            f"Recovery case {case.id} has {yuan(left)} outstanding; {yuan(amount)} is "
            f"{yuan(amount - left)} more than that",
            outstanding_fen=left,
            requested_fen=amount,
        ) from exc
    settlement = Settlement(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        amount_fen=amount,
        settled_on=on,
        reference=reference,
        entry_id=entry.id,
        disbursement_id=disbursement_id,
        approved_by=approved_by,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    session.add(settlement)
    await session.flush()
    await refresh_status(session, case)
    return settlement


async def repay(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: RepaymentIn
) -> RecoveryCase:
    _dates(("body.repaid_on", data.repaid_on))
    case = await locked(session, principal, case_id)
    _expect_open(case, "repaid")
    await _settle(
        session,
        principal,
        case,
        SettlementKind.REPAYMENT,
        data.amount_fen,
        data.repaid_on,
        data.reference,
    )
    return case


async def offset(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: OffsetIn
) -> RecoveryCase:
    """Settle part of the case with a tranche of another award of the same operator: the
    tranche counts as paid on that award and as recovered on the case, and no money moves."""
    _dates(("body.offset_on", data.offset_on))
    await get(session, principal, case_id)  # 404 before anything is locked
    # Locks in the order every money path takes them: the award, then the case.
    try:
        award = await awards.locked(session, principal, data.award_id)
    except awards.AwardNotFound:
        raise OffsetNotAllowed(f"No award {data.award_id} within your jurisdiction") from None
    case = await locked(session, principal, case_id)
    _expect_open(case, "offset")
    if award.status is not AwardStatus.APPROVED:
        raise OffsetNotAllowed(
            f"Award {award.id} is {award.status.value}; only an approved award's tranche is offset"
        )
    if (
        case.operator_id is None
        or award.operator_id != case.operator_id
        or await jurisdiction_of(session, award.space_id, award.jurisdiction_code)
        != await jurisdiction_of(session, case.space_id, case.jurisdiction_code)
    ):
        raise OffsetNotAllowed(
            f"Award {award.id} is not an award of the operator that owes case {case.id} in "
            "the same jurisdiction; an offset uses a tranche due to the same operator (运营主体)",
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
        method=DisbursementMethod.OFFSET,
        recovery_case_id=case.id,
        status=DisbursementStatus.CONFIRMED,
        created_at=utcnow(),
        created_by=principal.subject,
        settled_on=data.offset_on,
        bank_reference=None,
        ended_at=utcnow(),
        ended_by=principal.subject,
    )
    session.add(instruction)
    await session.flush()
    committed = ledger.code_of(AccountKind.COMMITTED, award.id)
    try:
        await _settle(
            session,
            principal,
            case,
            SettlementKind.OFFSET,
            data.amount_fen,
            data.offset_on,
            data.document_no,
            extra_legs=[
                ledger.Leg(
                    ledger.code_of(AccountKind.DISBURSED, award.id), committed, data.amount_fen
                )
            ],
            disbursement_id=instruction.id,
        )
    except ledger.InsufficientBalance as exc:
        left = int(exc.extensions["available_fen"])
        raise OffsetNotAllowed(
            f"Award {award.id} has {yuan(left)} not yet instructed; an offset of "
            f"{yuan(data.amount_fen)} is {yuan(data.amount_fen - left)} more than that",
            undisbursed_fen=left,
        ) from exc
    return case


async def request_write_off(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, reason: str
) -> RecoveryCase:
    case = await locked(session, principal, case_id)
    _expect_open(case, "written off")
    if case.write_off_requested_at is not None:
        raise CaseStatusConflict(
            f"A write-off of case {case.id} was requested by {case.write_off_requested_by} "
            "already; a second person approves it"
        )
    case.write_off_requested_at = utcnow()
    case.write_off_requested_by = principal.subject
    case.write_off_reason = reason
    await session.flush()
    return case


async def approve_write_off(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> RecoveryCase:
    case = await locked(session, principal, case_id)
    _expect_open(case, "written off")
    if case.write_off_requested_at is None:
        raise CaseStatusConflict(f"No write-off of case {case.id} was requested; request it first")
    if case.write_off_requested_by == principal.subject:
        raise awards.SecondPersonRequired(
            f"You requested the write-off of case {case.id}; a second person must approve it"
        )
    outstanding = await ledger.balance(session, _codes(case.id)[0])
    await _settle(
        session,
        principal,
        case,
        SettlementKind.WRITE_OFF,
        outstanding,
        today_in_china(),
        case.write_off_reason or "",
        approved_by=principal.subject,
    )
    return case


def _expect_open(case: RecoveryCase, act: str) -> None:
    if case.status is not CaseStatus.OPEN:
        raise CaseStatusConflict(
            f"Recovery case {case.id} is {case.status.value}; only an open case is {act}",
            current_status=case.status.value,
        )


async def refresh_status(session: AsyncSession, case: RecoveryCase) -> None:
    receivable, _, written_off = _codes(case.id)
    if await ledger.balance(session, receivable) > 0:
        case.status = CaseStatus.OPEN
    elif await ledger.balance(session, written_off) > 0:
        case.status = CaseStatus.WRITTEN_OFF
    else:
        case.status = CaseStatus.RECOVERED
    await session.flush()


async def get(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> RecoveryCase:
    case = await session.get(RecoveryCase, case_id)
    if case is None or not await sees(session, principal, case.space_id, case.jurisdiction_code):
        raise CaseNotFound(f"No recovery case {case_id} within your jurisdiction; check the id")
    return case


async def list_page(
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    *,
    space_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
) -> Sequence[RecoveryCase]:
    return await scoped_page(
        session,
        RecoveryCase,
        principal,
        page,
        [(RecoveryCase.space_id, space_id), (RecoveryCase.status, status)],
    )


async def out(session: AsyncSession, case: RecoveryCase) -> CaseOut:
    return (await outs(session, [case]))[0]


async def outs(session: AsyncSession, cases: Sequence[RecoveryCase]) -> list[CaseOut]:
    """The cases with their balances and settlements: two queries for the lot."""
    ids = [case.id for case in cases]
    balances: dict[tuple[uuid.UUID, AccountKind], int] = {
        (row.case_id, row.kind): row.debits_posted - row.credits_posted
        for row in await session.execute(
            sa.select(
                Account.case_id, Account.kind, Account.debits_posted, Account.credits_posted
            ).where(Account.case_id.in_(ids))
        )
    }
    reversals = aliased(JournalEntry)
    settlements: dict[uuid.UUID, list[SettlementOut]] = {case_id: [] for case_id in ids}
    columns = sa.inspect(Settlement).column_attrs
    for settlement, reversed_by in await session.execute(
        sa.select(Settlement, reversals.id)
        .outerjoin(reversals, reversals.reverses_id == Settlement.entry_id)
        .where(Settlement.case_id.in_(ids))
        .order_by(Settlement.created_at, Settlement.id)
    ):
        settlements[settlement.case_id].append(
            SettlementOut.model_validate(
                {
                    **{c.key: getattr(settlement, c.key) for c in columns},
                    "reversed_by_entry_id": reversed_by,
                }
            )
        )
    today = today_in_china()
    results: list[CaseOut] = []
    for case in cases:
        outstanding = balances.get((case.id, AccountKind.RECEIVABLE), 0)
        recovered = balances.get((case.id, AccountKind.RECOVERED), 0)
        written_off = balances.get((case.id, AccountKind.WRITTEN_OFF), 0)
        results.append(
            CaseOut.model_validate(
                {
                    **{c.key: getattr(case, c.key) for c in sa.inspect(RecoveryCase).column_attrs},
                    "overdue": outstanding > 0 and case.due_on < today,
                    # Claimed back on the case; a reversed repayment moves money back into the
                    # receivable, which is not a new claim.
                    "determined_fen": outstanding + recovered + written_off,
                    "outstanding_fen": outstanding,
                    "recovered_fen": recovered,
                    "written_off_fen": written_off,
                    "settlements": settlements[case.id],
                }
            )
        )
    return results
