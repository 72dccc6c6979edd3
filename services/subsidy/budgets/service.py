"""Appropriations and adjustments of a fiscal year's budget, each a ledger entry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.awards.models import Award
from services.subsidy.budgets.models import Budget
from services.subsidy.budgets.schemas import (
    AdjustmentIn,
    AppropriationIn,
    BudgetEntryOut,
    BudgetOut,
)
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import Account, AccountKind, EntryKind, JournalEntry, Transfer
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import FieldError, NotFound, RequestInvalid
from shared.timezone import future_date_errors, today_in_china

FIRST_YEAR = 2015


class BudgetNotFound(NotFound):
    slug = "budget-not-found"


def check_year(year: int) -> None:
    latest = today_in_china().year + 1
    if not FIRST_YEAR <= year <= latest:
        raise RequestInvalid(
            f"fiscal_year {year}: budgets exist for {FIRST_YEAR} to {latest} (next year's may "
            "be appropriated in advance)",
            [FieldError(field="path.fiscal_year", message="out of range", type="value_error")],
        )


def _check_date(field: str, value: date) -> None:
    errors = future_date_errors(field, value)
    if errors:
        raise RequestInvalid(
            f"{field.split('.')[-1]} is in the future; give the document's date", errors
        )


async def appropriate(
    session: AsyncSession, principal: Principal, year: int, data: AppropriationIn
) -> BudgetOut:
    check_year(year)
    _check_date("body.appropriated_on", data.appropriated_on)
    await _open(session, principal, year)
    await ledger.post(
        session,
        ledger.Draft(
            kind=EntryKind.APPROPRIATION,
            effective_on=data.appropriated_on,
            memo=data.memo or f"{year}年度众创空间奖补资金预算下达",
            legs=[_budget_leg(year, data.amount_fen)],
            fiscal_year=year,
            document_no=data.document_no,
        ),
        principal.subject,
    )
    return await read(session, year)


async def adjust(
    session: AsyncSession, principal: Principal, year: int, data: AdjustmentIn
) -> BudgetOut:
    check_year(year)
    _check_date("body.adjusted_on", data.adjusted_on)
    if data.amount_fen == 0:
        raise RequestInvalid(
            "amount_fen is 0; an adjustment adds (positive) or takes away (negative) fen",
            [FieldError(field="body.amount_fen", message="must not be 0", type="value_error")],
        )
    if await session.get(Budget, year) is None:
        raise BudgetNotFound(
            f"No budget for fiscal year {year} yet; record its appropriation first"
        )
    await ledger.post(
        session,
        ledger.Draft(
            kind=EntryKind.BUDGET_ADJUSTMENT,
            effective_on=data.adjusted_on,
            memo=data.reason,
            legs=[_budget_leg(year, data.amount_fen)],
            fiscal_year=year,
            document_no=data.document_no,
        ),
        principal.subject,
    )
    return await read(session, year)


def _budget_leg(year: int, amount: int) -> ledger.Leg:
    budget = ledger.code_of(AccountKind.BUDGET, year)
    appropriation = ledger.code_of(AccountKind.APPROPRIATION, year)
    if amount > 0:
        return ledger.Leg(debit=budget, credit=appropriation, amount=amount)
    return ledger.Leg(debit=appropriation, credit=budget, amount=-amount)


async def _open(session: AsyncSession, principal: Principal, year: int) -> None:
    if await session.get(Budget, year) is None:
        session.add(Budget(fiscal_year=year, created_at=utcnow(), created_by=principal.subject))
        await session.flush()
    await ledger.open_account(session, AccountKind.APPROPRIATION, year, fiscal_year=year)
    await ledger.open_account(session, AccountKind.BUDGET, year, fiscal_year=year)


async def years(session: AsyncSession) -> Sequence[int]:
    return (await session.scalars(sa.select(Budget.fiscal_year).order_by(Budget.fiscal_year))).all()


async def read(session: AsyncSession, year: int) -> BudgetOut:
    if await session.get(Budget, year) is None:
        raise BudgetNotFound(f"No budget for fiscal year {year}; record its appropriation first")
    appropriation = await session.get(Account, ledger.code_of(AccountKind.APPROPRIATION, year))
    available = await ledger.balance(session, ledger.code_of(AccountKind.BUDGET, year))
    appropriated = 0 if appropriation is None else appropriation.balance
    award_ids = sa.select(Award.id).where(Award.fiscal_year == year)
    awarded = await _sum_debits(session, AccountKind.COMMITTED, award_ids)
    paid = await _sum_debits(session, AccountKind.DISBURSED, award_ids)
    return BudgetOut(
        fiscal_year=year,
        appropriated_fen=appropriated,
        awarded_fen=awarded,
        available_fen=available,
        paid_fen=paid,
        execution_rate_percent=percent(paid, appropriated),
        entries=await _entries(session, year),
    )


def percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with one decimal, rounded half up, in exact integers."""
    if whole == 0:
        return "0.0"
    tenths = (part * 1000 * 2 + whole) // (whole * 2)
    return f"{tenths // 10}.{tenths % 10}"


async def _sum_debits(
    session: AsyncSession, kind: AccountKind, award_ids: sa.Select[uuid.UUID]
) -> int:
    total = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Account.debits_posted), 0)).where(
            Account.kind == kind, Account.award_id.in_(award_ids)
        )
    )
    return int(total or 0)


async def _entries(session: AsyncSession, year: int) -> list[BudgetEntryOut]:
    budget = ledger.code_of(AccountKind.BUDGET, year)
    appropriation = ledger.code_of(AccountKind.APPROPRIATION, year)
    rows = await session.execute(
        sa.select(JournalEntry, Transfer)
        .join(Transfer, Transfer.entry_seq == JournalEntry.seq)
        .where(
            sa.or_(
                sa.and_(Transfer.debit_account == budget, Transfer.credit_account == appropriation),
                sa.and_(Transfer.debit_account == appropriation, Transfer.credit_account == budget),
            )
        )
        .order_by(JournalEntry.seq)
    )
    return [
        BudgetEntryOut(
            entry_id=entry.id,
            kind=entry.kind,
            amount_fen=transfer.amount if transfer.debit_account == budget else -transfer.amount,
            document_no=entry.document_no,
            effective_on=entry.effective_on,
            memo=entry.memo,
            reverses_id=entry.reverses_id,
            created_at=entry.created_at,
            created_by=entry.created_by,
        )
        for entry, transfer in rows
    ]
