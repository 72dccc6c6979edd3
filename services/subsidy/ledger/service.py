"""Posting to the ledger: lock the accounts, check the balances, chain the entry, write it.

Every money movement of the service goes through ``post``. Inside the caller's transaction it
locks the entry's accounts in code order (the one fixed order every transaction uses, so two
postings never deadlock), refuses the entry if any balance that must not go negative would,
applies the sums, and appends the entry to the hash chain. The CHECK constraints on the
accounts table refuse the same thing again should a bug ever get past the code.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.ledger.models import (
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    NormalSide,
    Transfer,
)
from services.subsidy.money import yuan
from shared.canonical import canonical_json, sha256_hex
from shared.db import utcnow
from shared.errors import Conflict, NotFound

GENESIS_HASH = "0" * 64
# Held to the end of the transaction on PostgreSQL, so entries join the chain one at a time.
_CHAIN_LOCK_KEY = 0x4C5A4D534C  # "LZMSL"

_CREDIT_NORMAL = frozenset({AccountKind.APPROPRIATION})


class InsufficientBalance(Conflict):
    slug, title = "ledger-insufficient-balance", "Not enough on the account for this movement"


class EntryNotFound(NotFound):
    slug = "ledger-entry-not-found"


class AlreadyReversed(Conflict):
    slug, title = "ledger-entry-already-reversed", "The entry has been reversed already"


class NotReversible(Conflict):
    slug, title = "ledger-entry-not-reversible", "This kind of entry is corrected another way"


@dataclass(frozen=True, slots=True)
class Leg:
    """One transfer: ``amount`` fen from ``credit`` to ``debit``."""

    debit: str
    credit: str
    amount: int


@dataclass(frozen=True)
class Draft:
    """An entry about to be posted: what it is, what it is about, and its legs."""

    kind: EntryKind
    effective_on: date
    memo: str
    legs: Sequence[Leg]
    fiscal_year: int | None = None
    space_id: uuid.UUID | None = None
    jurisdiction_code: str | None = None
    award_id: uuid.UUID | None = None
    disbursement_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    document_no: str | None = None
    reverses_id: uuid.UUID | None = None


def code_of(kind: AccountKind, key: object) -> str:
    """``budget:2026``, ``committed:<award id>``, ``receivable:<case id>``."""
    return f"{kind.value}:{key}"


async def open_account(
    session: AsyncSession,
    kind: AccountKind,
    key: object,
    *,
    fiscal_year: int | None = None,
    award_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> str:
    """Create the account if it does not exist yet; returns its code."""
    code = code_of(kind, key)
    if await session.get(Account, code) is None:
        session.add(
            Account(
                code=code,
                kind=kind,
                normal_side=NormalSide.CREDIT if kind in _CREDIT_NORMAL else NormalSide.DEBIT,
                fiscal_year=fiscal_year,
                award_id=award_id,
                case_id=case_id,
                debits_posted=0,
                credits_posted=0,
                created_at=utcnow(),
            )
        )
        await session.flush()
    return code


async def lock_accounts(session: AsyncSession, codes: Iterable[str]) -> dict[str, Account]:
    """The accounts, row-locked in code order and read afresh (so balances are current)."""
    wanted = sorted(set(codes))
    rows = (
        await session.scalars(
            sa.select(Account)
            .where(Account.code.in_(wanted))
            .order_by(Account.code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    accounts = {account.code: account for account in rows}
    missing = [code for code in wanted if code not in accounts]
    if missing:
        raise RuntimeError(f"ledger accounts not opened: {missing}")
    return accounts


def describe(account: Account) -> str:
    key = account.code.split(":", 1)[1]
    return {
        AccountKind.APPROPRIATION: f"the {key} appropriation",
        AccountKind.BUDGET: f"the {key} budget's unawarded balance",
        AccountKind.COMMITTED: f"award {key}'s amount not yet instructed for payment",
        AccountKind.IN_TRANSIT: f"award {key}'s payments in transit",
        AccountKind.DISBURSED: f"the amount paid on award {key} and not claimed back",
        AccountKind.RECEIVABLE: f"recovery case {key}'s outstanding amount",
        AccountKind.RECOVERED: f"recovery case {key}'s recovered amount",
        AccountKind.WRITTEN_OFF: f"recovery case {key}'s written-off amount",
    }[account.kind]


async def post(session: AsyncSession, draft: Draft, actor: str) -> JournalEntry:
    """Post ``draft`` in the caller's transaction, or refuse it changing nothing."""
    if not draft.legs or any(leg.amount <= 0 or leg.debit == leg.credit for leg in draft.legs):
        raise ValueError(f"malformed ledger entry: {draft.legs}")
    accounts = await lock_accounts(
        session, (code for leg in draft.legs for code in (leg.debit, leg.credit))
    )
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for leg in draft.legs:
        debits[leg.debit] += leg.amount
        credits[leg.credit] += leg.amount
    for code, account in accounts.items():
        new_debits = account.debits_posted + debits[code]
        new_credits = account.credits_posted + credits[code]
        after = (
            new_debits - new_credits
            if account.normal_side is NormalSide.DEBIT
            else new_credits - new_debits
        )
        if after < 0:
            needed = account.balance - after
            raise InsufficientBalance(
                f"{describe(account)} is {yuan(account.balance)}; this needs {yuan(needed)} "
                f"({yuan(-after)} short)",
                account=code,
                available_fen=account.balance,
                needed_fen=needed,
            )
    for code, account in accounts.items():
        account.debits_posted += debits[code]
        account.credits_posted += credits[code]
    entry = await _append(session, draft, actor)
    await session.flush()
    return entry


async def _append(session: AsyncSession, draft: Draft, actor: str) -> JournalEntry:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    last = (
        await session.execute(
            sa.select(JournalEntry.seq, JournalEntry.hash)
            .order_by(JournalEntry.seq.desc())
            .limit(1)
        )
    ).first()
    entry = JournalEntry(
        seq=1 if last is None else last.seq + 1,
        id=uuid.uuid4(),
        kind=draft.kind,
        effective_on=draft.effective_on,
        fiscal_year=draft.fiscal_year,
        space_id=draft.space_id,
        jurisdiction_code=draft.jurisdiction_code,
        award_id=draft.award_id,
        disbursement_id=draft.disbursement_id,
        case_id=draft.case_id,
        document_no=draft.document_no,
        memo=draft.memo[:500],
        reverses_id=draft.reverses_id,
        created_at=utcnow(),
        created_by=actor,
        prev_hash=GENESIS_HASH if last is None else last.hash,
        hash="",
    )
    transfers = [
        Transfer(
            entry_seq=entry.seq,
            line=line,
            debit_account=leg.debit,
            credit_account=leg.credit,
            amount=leg.amount,
        )
        for line, leg in enumerate(draft.legs, start=1)
    ]
    entry.hash = entry_hash(entry, transfers)
    session.add(entry)
    await session.flush()
    session.add_all(transfers)
    return entry


def entry_hash(entry: JournalEntry, transfers: Sequence[Transfer]) -> str:
    """The hash of an entry with its transfers: every field but ``hash``, in canonical JSON."""
    created_at: datetime = entry.created_at
    content = {
        "seq": entry.seq,
        "id": str(entry.id),
        "kind": entry.kind.value,
        "effective_on": entry.effective_on.isoformat(),
        "fiscal_year": entry.fiscal_year,
        "space_id": _str(entry.space_id),
        "jurisdiction_code": entry.jurisdiction_code,
        "award_id": _str(entry.award_id),
        "disbursement_id": _str(entry.disbursement_id),
        "case_id": _str(entry.case_id),
        "document_no": entry.document_no,
        "memo": entry.memo,
        "reverses_id": _str(entry.reverses_id),
        "created_at": created_at.isoformat(timespec="microseconds"),
        "created_by": entry.created_by,
        "prev_hash": entry.prev_hash,
        "transfers": [
            [t.line, t.debit_account, t.credit_account, t.amount]
            for t in sorted(transfers, key=lambda t: t.line)
        ],
    }
    return sha256_hex(canonical_json(content))


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


async def reverse(
    session: AsyncSession,
    entry_id: uuid.UUID,
    reason: str,
    actor: str,
    *,
    reversible: frozenset[EntryKind],
) -> tuple[JournalEntry, JournalEntry]:
    """Post the mirror image of an entry, referencing it with a reason; returns (original, new).

    A reversal is refused like any entry when a balance would go negative: budget already
    awarded cannot be un-appropriated, for example.
    """
    original = await session.scalar(
        sa.select(JournalEntry).where(JournalEntry.id == entry_id).with_for_update()
    )
    if original is None:
        raise EntryNotFound(f"No ledger entry {entry_id}; check the id")
    if original.kind not in reversible:
        raise NotReversible(
            f"A {original.kind.value} entry is not reversed directly: correct it through its "
            "own record (an award is declined or cancelled, a payment instruction fails or is "
            "cancelled, a recovery is repaid or written off)",
            kind=original.kind.value,
        )
    existing = await session.scalar(
        sa.select(JournalEntry.id).where(JournalEntry.reverses_id == entry_id)
    )
    if existing is not None:
        raise AlreadyReversed(
            f"Entry {entry_id} was reversed by entry {existing}; it cannot be reversed twice",
            reversal_id=str(existing),
        )
    transfers = await transfers_of(session, original.seq)
    reversal = await post(
        session,
        Draft(
            kind=EntryKind.REVERSAL,
            effective_on=original.effective_on,
            memo=reason,
            legs=[Leg(t.credit_account, t.debit_account, t.amount) for t in transfers],
            fiscal_year=original.fiscal_year,
            space_id=original.space_id,
            jurisdiction_code=original.jurisdiction_code,
            award_id=original.award_id,
            disbursement_id=original.disbursement_id,
            case_id=original.case_id,
            document_no=original.document_no,
            reverses_id=original.id,
        ),
        actor,
    )
    return original, reversal


async def transfers_of(session: AsyncSession, seq: int) -> list[Transfer]:
    return list(
        (
            await session.scalars(
                sa.select(Transfer).where(Transfer.entry_seq == seq).order_by(Transfer.line)
            )
        ).all()
    )


async def balance(session: AsyncSession, code: str) -> int:
    """An account's balance now (0 for an account never opened)."""
    account = await session.get(Account, code)
    return 0 if account is None else account.balance


@dataclass(frozen=True)
class LedgerReport:
    """What an auditor needs to trust the books: the chain and the balances both check out."""

    intact: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None = None
    problem: str | None = None
    accounts_checked: int = 0
    accounts_mismatched: tuple[str, ...] = ()


async def verify(session: AsyncSession, *, batch: int = 2000) -> LedgerReport:
    """Walk every entry in order checking each link, then recompute every account's sums."""
    expected_prev, expected_seq, head_hash = GENESIS_HASH, 1, None
    count = 0
    while True:
        entries = (
            await session.scalars(
                sa.select(JournalEntry)
                .where(JournalEntry.seq >= expected_seq)
                .order_by(JournalEntry.seq)
                .limit(batch)
            )
        ).all()
        if not entries:
            break
        lines: dict[int, list[Transfer]] = defaultdict(list)
        for transfer in (
            await session.scalars(
                sa.select(Transfer).where(
                    Transfer.entry_seq.between(entries[0].seq, entries[-1].seq)
                )
            )
        ).all():
            lines[transfer.entry_seq].append(transfer)
        for entry in entries:
            problem = None
            if entry.seq != expected_seq:
                problem = f"entry {expected_seq} is missing (found {entry.seq})"
            elif entry.prev_hash != expected_prev:
                problem = "prev_hash does not match the previous entry's hash"
            elif entry.hash != entry_hash(entry, lines[entry.seq]):
                problem = "the entry or its transfers were changed after they were written"
            elif not lines[entry.seq]:
                problem = "the entry has no transfers"
            if problem is not None:
                return LedgerReport(False, count, count or None, head_hash, entry.seq, problem)
            count += 1
            expected_prev = head_hash = entry.hash
            expected_seq += 1
        session.expunge_all()
    mismatched = await _mismatched_accounts(session)
    checked = await session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
    return LedgerReport(
        not mismatched,
        count,
        count or None,
        head_hash,
        problem=(
            f"account sums differ from their transfers: {list(mismatched)}" if mismatched else None
        ),
        accounts_checked=checked,
        accounts_mismatched=mismatched,
    )


async def _mismatched_accounts(session: AsyncSession) -> tuple[str, ...]:
    debit_sums = (
        sa.select(Transfer.debit_account.label("code"), sa.func.sum(Transfer.amount).label("d"))
        .group_by(Transfer.debit_account)
        .subquery()
    )
    credit_sums = (
        sa.select(Transfer.credit_account.label("code"), sa.func.sum(Transfer.amount).label("c"))
        .group_by(Transfer.credit_account)
        .subquery()
    )
    rows = await session.execute(
        sa.select(Account.code)
        .outerjoin(debit_sums, debit_sums.c.code == Account.code)
        .outerjoin(credit_sums, credit_sums.c.code == Account.code)
        .where(
            sa.or_(
                Account.debits_posted != sa.func.coalesce(debit_sums.c.d, 0),
                Account.credits_posted != sa.func.coalesce(credit_sums.c.c, 0),
            )
        )
        .order_by(Account.code)
    )
    return tuple(rows.scalars().all())
