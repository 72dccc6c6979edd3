"""HTTP for the ledger: entries, accounts, verification and reversals."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.access import ledger_readers, treasurers
from services.subsidy.ledger import service
from services.subsidy.ledger.models import Account, ChainLink, EntryKind, JournalEntry, Transfer
from services.subsidy.ledger.schemas import (
    AccountOut,
    EntryOut,
    ReversalIn,
    TransferOut,
    VerificationOut,
)
from services.subsidy.recoveries import service as recoveries
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import NotFound, problem_responses
from shared.idempotency import require_idempotency_key
from shared.pagination import Page, PageParams, keyset_page, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/ledger",
    tags=["ledger · 账本"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 428, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, Depends(ledger_readers)]

# Corrected by a reversal; everything else is corrected through its own record.
REVERSIBLE = frozenset({EntryKind.APPROPRIATION, EntryKind.BUDGET_ADJUSTMENT, EntryKind.REPAYMENT})


class AccountNotFound(NotFound):
    slug = "ledger-account-not-found"


async def _out(session: AsyncSession, entries: list[JournalEntry]) -> list[EntryOut]:
    if not entries:
        return []
    lines: dict[int, list[TransferOut]] = {e.seq: [] for e in entries}
    for t in (
        await session.scalars(
            sa.select(Transfer)
            .where(Transfer.entry_seq.in_(list(lines)))
            .order_by(Transfer.entry_seq, Transfer.line)
        )
    ).all():
        lines[t.entry_seq].append(
            TransferOut(
                line=t.line,
                debit_account=t.debit_account,
                credit_account=t.credit_account,
                amount_fen=t.amount,
            )
        )
    links = {
        link.entry_seq: link
        for link in (
            await session.scalars(sa.select(ChainLink).where(ChainLink.entry_seq.in_(list(lines))))
        ).all()
    }
    return [
        EntryOut.model_validate(
            {
                **{c.key: getattr(e, c.key) for c in sa.inspect(JournalEntry).column_attrs},
                "chain_position": links[e.seq].position if e.seq in links else None,
                "chain_hash": links[e.seq].hash if e.seq in links else None,
                "transfers": lines[e.seq],
            }
        )
        for e in entries
    ]


@router.get("/entries", response_model=Page[EntryOut], summary="Journal entries · 分录")
async def list_entries(
    session: Session,
    _: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    award_id: Annotated[uuid.UUID | None, Query()] = None,
    case_id: Annotated[uuid.UUID | None, Query()] = None,
    space_id: Annotated[uuid.UUID | None, Query()] = None,
    fiscal_year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
) -> dict[str, Any]:
    stmt = sa.select(JournalEntry)
    for column, value in (
        (JournalEntry.award_id, award_id),
        (JournalEntry.case_id, case_id),
        (JournalEntry.space_id, space_id),
        (JournalEntry.fiscal_year, fiscal_year),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = keyset_page(stmt, [JournalEntry.seq.expression], page, [int])
    rows = list((await session.scalars(stmt)).all())
    items, cursor = page_of(rows, page, lambda e: [e.seq])
    return {"items": await _out(session, items), "next_cursor": cursor}


@router.get(
    "/accounts/{code}",
    response_model=AccountOut,
    summary="An account's sums and balance · 账户余额",
    responses=problem_responses(404),
)
async def get_account(code: str, session: Session, _: Reader) -> Account:
    account = await session.get(Account, code)
    if account is None:
        raise AccountNotFound(
            f"No ledger account {code!r}; codes look like budget:2026 or committed:<award id>"
        )
    return account


@router.get(
    "/verification",
    response_model=VerificationOut,
    summary="Verify the chain and the balances · 账本校验",
    description="Seals what has committed, walks the hash chain recomputing every entry's "
    "content hash and link, then recomputes every account's sums from the transfers. "
    "`intact: false` names the first broken link or the accounts.",
)
async def verify(request: Request, session: Session, _: Reader) -> VerificationOut:
    await service.seal_all(request.app.state.database, wait=True)  # chain what has committed so far
    report = await service.verify(session)
    return VerificationOut.model_validate(
        {**dataclasses.asdict(report), "accounts_mismatched": list(report.accounts_mismatched)}
    )


@router.post(
    "/entries/{entry_id}/reversal",
    status_code=status.HTTP_201_CREATED,
    response_model=EntryOut,
    summary="Reverse an entry · 冲正",
    description=(
        "Posts the mirror image of an appropriation, budget adjustment or repayment, "
        "referencing it with a reason; the original stays. Refused (409) if a balance would go "
        "negative (budget already awarded cannot be taken back) or if it was reversed already. "
        "Other entries are corrected through their own records."
    ),
    responses=problem_responses(404, 409),
    dependencies=[Depends(require_idempotency_key)],
)
async def reverse(
    entry_id: uuid.UUID,
    body: ReversalIn,
    session: Session,
    principal: Annotated[Principal, Depends(treasurers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> EntryOut:
    # A repayment's case is locked before the accounts, as every recovery path does.
    case_id = await session.scalar(
        sa.select(JournalEntry.case_id).where(JournalEntry.id == entry_id)
    )
    case = None if case_id is None else await recoveries.locked(session, principal, case_id)
    _, reversal = await service.reverse(
        session, entry_id, body.reason, principal.subject, reversible=REVERSIBLE
    )
    if case is not None:
        await recoveries.refresh_status(session, case)
    audit.about("ledger_entry", entry_id, reversal_id=str(reversal.id), reason=body.reason)
    return (await _out(session, [reversal]))[0]
