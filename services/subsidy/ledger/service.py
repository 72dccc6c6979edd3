"""Posting to the ledger: lock the accounts, check the balances, write the entry; then seal.

Every money movement of the service goes through ``post``. Inside the caller's transaction it
locks the entry's accounts in code order (the one fixed order every transaction uses, so two
postings never deadlock), refuses the entry if any balance that must not go negative would,
applies the sums, and writes the entry with the hash of its content. The CHECK constraints on
the accounts table refuse the same thing again should a bug ever get past the code.

``seal`` links committed entries into the hash chain in batches, in the order they committed.
A posting never waits for another to be chained, so postings on different accounts commit
concurrently (PostgreSQL groups their WAL flushes); the app runs the sealer continuously and
``verify`` seals before it checks.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from services.subsidy.ledger.models import (
    Account,
    AccountKind,
    ChainLink,
    EntryKind,
    JournalEntry,
    NormalSide,
    Transfer,
)
from services.subsidy.money import yuan
from shared.background import pause
from shared.canonical import canonical_json, sha256_hex
from shared.db import Database, ReadOnlyViolation, utcnow
from shared.errors import Conflict, NotFound

log = structlog.get_logger(__name__)

GENESIS_HASH = "0" * 64
# Taken (without waiting) by the one sealer working at a time on PostgreSQL.
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


def describe_code(kind: AccountKind, code: str) -> str:
    key = code.split(":", 1)[1]
    return {
        AccountKind.APPROPRIATION: f"the {key} appropriation",
        AccountKind.BUDGET: f"the {key} budget's unawarded balance",
        AccountKind.COMMITTED: f"award {key}'s amount not yet instructed for payment",
        AccountKind.IN_TRANSIT: f"award {key}'s payments in transit",
        AccountKind.DISBURSED: f"the amount paid on award {key} and not claimed back",
        AccountKind.RECEIVABLE: f"recovery case {key}'s outstanding amount",
        AccountKind.RECOVERED: f"recovery case {key}'s recovered amount",
        AccountKind.WRITTEN_OFF: f"recovery case {key}'s written-off amount",
    }[kind]


@dataclass(frozen=True, slots=True)
class Posted:
    """An entry just written: its number and its identity."""

    seq: int
    id: uuid.UUID


_accounts: sa.Table = Account.__table__  # type: ignore[assignment]
_entry_columns = sa.inspect(JournalEntry).column_attrs
_entries: sa.Table = JournalEntry.__table__  # type: ignore[assignment]
_transfers: sa.Table = Transfer.__table__  # type: ignore[assignment]

# The entry's values, $4 to $18 of the posting statement below.
_ENTRY_PARAMS = (
    "id",
    "kind",
    "effective_on",
    "fiscal_year",
    "space_id",
    "jurisdiction_code",
    "award_id",
    "disbursement_id",
    "case_id",
    "document_no",
    "memo",
    "reverses_id",
    "created_at",
    "created_by",
    "content_hash",
)
# On PostgreSQL the lock, the check, the sums, the entry and its transfers are one statement
# (one round trip): data-modifying CTEs all run, once, whether or not the outer query reads
# them, and nothing is written unless the verdict says every balance fits. The arrays are
# ``text[]``, not ``varchar[]``: asyncpg encodes those without first asking the server about
# the type, which it did on every new pooled connection.
_POST_PG_SQL = """
    WITH v AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(code, d, c)
    ), locked AS (
        SELECT a.code, a.normal_side, a.debits_posted, a.credits_posted, v.d, v.c
        FROM ledger_accounts AS a JOIN v ON v.code = a.code
        ORDER BY a.code
        FOR UPDATE OF a
    ), verdict AS (
        SELECT count(*) = cardinality($1::text[]) AND coalesce(bool_and(
            CASE WHEN normal_side = 'debit'
                THEN debits_posted + d - credits_posted - c
                ELSE credits_posted + c - debits_posted - d
            END >= 0), false) AS fits
        FROM locked
    ), sums AS (
        UPDATE ledger_accounts AS a
        SET debits_posted = a.debits_posted + l.d, credits_posted = a.credits_posted + l.c
        FROM locked AS l
        WHERE a.code = l.code AND (SELECT fits FROM verdict)
        RETURNING 1
    ), entry AS (
        INSERT INTO ledger_entries (
            id, kind, effective_on, fiscal_year, space_id, jurisdiction_code, award_id,
            disbursement_id, case_id, document_no, memo, reverses_id, created_at, created_by,
            content_hash
        )
        SELECT $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
        WHERE (SELECT fits FROM verdict)
        RETURNING seq
    ), lines AS (
        INSERT INTO ledger_transfers (entry_seq, line, debit_account, credit_account, amount)
        SELECT entry.seq, l.line, l.debit, l.credit, l.amount
        FROM entry, unnest($19::text[], $20::text[], $21::bigint[])
            WITH ORDINALITY AS l(debit, credit, amount, line)
        RETURNING 1
    )
    SELECT
        (SELECT seq FROM entry) AS seq,
        (SELECT count(*) FROM sums) AS accounts,
        (SELECT count(*) FROM lines) AS transfers
    """
# The accounts a refused posting locked, read again to say which one falls short and by how
# much (the refusal path only; the rows are still locked by this transaction, so unchanged).
_LOCKED_PG_SQL = """
    SELECT code, kind, normal_side, debits_posted, credits_posted
    FROM ledger_accounts WHERE code = ANY($1::text[]) ORDER BY code
    """


async def post(session: AsyncSession, draft: Draft, actor: str) -> Posted:
    """Post ``draft`` in the caller's transaction, or refuse it changing nothing."""
    if not draft.legs or any(leg.amount <= 0 or leg.debit == leg.credit for leg in draft.legs):
        raise ValueError(f"malformed ledger entry: {draft.legs}")
    codes = sorted({code for leg in draft.legs for code in (leg.debit, leg.credit)})
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for leg in draft.legs:
        debits[leg.debit] += leg.amount
        credits[leg.credit] += leg.amount
    entry_id = uuid.uuid4()
    values: dict[str, Any] = {
        "id": entry_id,
        "kind": draft.kind.value,
        "effective_on": draft.effective_on,
        "fiscal_year": draft.fiscal_year,
        "space_id": draft.space_id,
        "jurisdiction_code": draft.jurisdiction_code,
        "award_id": draft.award_id,
        "disbursement_id": draft.disbursement_id,
        "case_id": draft.case_id,
        "document_no": draft.document_no,
        "memo": draft.memo[:500],
        "reverses_id": draft.reverses_id,
        "created_at": utcnow(),
        "created_by": actor,
    }
    lines = [(n, leg.debit, leg.credit, leg.amount) for n, leg in enumerate(draft.legs, 1)]
    values["content_hash"] = content_hash(values, lines)
    if session.get_bind().dialect.name == "postgresql":
        seq = await _post_postgresql(session, codes, debits, credits, values, lines)
    else:
        seq = await _post_portably(session, codes, debits, credits, values, lines)
    # Account objects this session loaded before are stale now.
    for held in list(session.identity_map.values()):
        if isinstance(held, Account) and held.code in debits.keys() | credits.keys():
            session.expire(held)
    return Posted(seq, entry_id)


def _check(
    before: Sequence[tuple[str, str, str, int, int]],
    codes: Sequence[str],
    debits: Mapping[str, int],
    credits: Mapping[str, int],
) -> None:
    """Refuse, naming the account and the shortfall, if a balance would go negative."""
    if len(before) != len(codes):
        found = {row[0] for row in before}
        raise RuntimeError(f"ledger accounts not opened: {[c for c in codes if c not in found]}")
    for code, kind, normal_side, debits_posted, credits_posted in before:
        sign = 1 if normal_side == NormalSide.DEBIT.value else -1
        balance = sign * (debits_posted - credits_posted)
        after = balance + sign * (debits[code] - credits[code])
        if after < 0:
            raise InsufficientBalance(
                f"{describe_code(AccountKind(kind), code)} is {yuan(balance)}; this needs "
                f"{yuan(balance - after)} ({yuan(-after)} short)",
                account=code,
                available_fen=balance,
                needed_fen=balance - after,
            )


async def _post_postgresql(
    session: AsyncSession,
    codes: Sequence[str],
    debits: Mapping[str, int],
    credits: Mapping[str, int],
    values: Mapping[str, Any],
    lines: Sequence[Line],
) -> int:
    """Lock, check, sum and write in one statement: nothing is written unless all fit."""
    args = (
        codes,
        [debits.get(c, 0) for c in codes],
        [credits.get(c, 0) for c in codes],
        *(values[name] for name in _ENTRY_PARAMS),
        [line[1] for line in lines],
        [line[2] for line in lines],
        [line[3] for line in lines],
    )
    # Sent on the asyncpg connection under the session, inside its transaction: asyncpg
    # prepares it once per connection, and SQLAlchemy's statement, cursor and result layers
    # (about a fifth of a posting's time in Python, measured) have nothing to add to one row.
    pooled = await session.run_sync(_pooled_connection)
    adapted: Any = pooled.dbapi_connection
    driver: Any = pooled.driver_connection
    if adapted.autocommit:
        # A read-only session (autocommit): SQLAlchemy's guard against writes there never
        # sees this statement, so the ledger refuses it itself.
        raise ReadOnlyViolation("a ledger posting was sent on a read-only session")
    try:
        await _in_transaction(adapted, driver)
        row = await driver.fetchrow(_POST_PG_SQL, *args)
        if row["seq"] is None:
            before = [tuple(r) for r in await driver.fetch(_LOCKED_PG_SQL, codes)]
    except Exception as error:
        if getattr(error, "sqlstate", None) is None:
            # Not the server's answer (a lost connection, a protocol fault): the pool discards
            # the connection, as SQLAlchemy does on a disconnect it sees itself.
            await session.run_sync(_invalidate)
            raise
        raise _database_error(error, _POST_PG_SQL) from error
    except BaseException:
        # Cancelled mid-statement: discarded too, as SQLAlchemy does on a cancellation.
        await session.run_sync(_invalidate)
        raise
    if row["seq"] is None:
        _check(before, codes, debits, credits)
        raise RuntimeError(f"ledger refused an entry it should have taken: {before}")
    assert (row["accounts"], row["transfers"]) == (len(codes), len(lines)), row
    return int(row["seq"])


def _pooled_connection(session: Session) -> PoolProxiedConnection:
    """The session's pooled connection (beginning the session's transaction if need be);
    one trip into SQLAlchemy's greenlet rather than two."""
    return session.connection().connection


def _invalidate(session: Session) -> None:
    session.connection().invalidate()


async def _in_transaction(adapted: Any, driver: Any) -> None:
    """Make sure the session's transaction has begun on the driver connection.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the transaction's first statement;
    when the posting is that statement it is begun here the same way (the adapter's own method),
    so SQLAlchemy's commit or rollback ends it with everything else the caller did. Those two
    names are the adapter's private ones (SQLAlchemy 2.1, pinned): should they change, the
    tests that a posting commits and rolls back with its caller fail.
    """
    if adapted._transaction is None:
        await adapted._start_transaction()
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("a ledger posting needs a transaction; this connection has none")


def _database_error(error: Exception, statement: str) -> sa.exc.DBAPIError:
    """The server's refusal as SQLAlchemy would have raised it: a constraint the database
    enforced (SQLSTATE class 23) is an ``IntegrityError``, anything else a ``DBAPIError``."""
    sqlstate = str(getattr(error, "sqlstate", ""))
    kind = sa.exc.IntegrityError if sqlstate.startswith("23") else sa.exc.DBAPIError
    return kind(statement, None, error)


async def _post_portably(
    session: AsyncSession,
    codes: Sequence[str],
    debits: Mapping[str, int],
    credits: Mapping[str, int],
    values: Mapping[str, Any],
    lines: Sequence[Line],
) -> int:
    """The same in plain statements (SQLite, whose writers are serialised anyway)."""
    before = (
        await session.execute(
            sa.select(
                _accounts.c.code,
                _accounts.c.kind,
                _accounts.c.normal_side,
                _accounts.c.debits_posted,
                _accounts.c.credits_posted,
            )
            .where(_accounts.c.code.in_(codes))
            .order_by(_accounts.c.code)
            .with_for_update()
        )
    ).all()
    _check([tuple(row) for row in before], codes, debits, credits)
    await session.execute(
        _accounts.update()
        .where(_accounts.c.code == sa.bindparam("account"))
        .values(
            debits_posted=_accounts.c.debits_posted + sa.bindparam("d"),
            credits_posted=_accounts.c.credits_posted + sa.bindparam("c"),
        ),
        [{"account": c, "d": debits.get(c, 0), "c": credits.get(c, 0)} for c in codes],
    )
    seq = (await session.execute(_entries.insert().returning(_entries.c.seq), values)).scalar_one()
    await session.execute(
        _transfers.insert(),
        [
            {"entry_seq": seq, "line": n, "debit_account": d, "credit_account": c, "amount": a}
            for n, d, c, a in lines
        ],
    )
    return int(seq)


Line = tuple[int, str, str, int]


def content_hash(entry: Mapping[str, Any], lines: Sequence[Line]) -> str:
    """The hash of an entry with its transfers (line, debit, credit, amount): every field but
    its number (which the chain link covers) and the hash itself, in canonical JSON."""
    created_at: datetime = entry["created_at"]
    content = {
        "id": str(entry["id"]),
        "kind": str(entry["kind"]),
        "effective_on": entry["effective_on"].isoformat(),
        "fiscal_year": entry["fiscal_year"],
        "space_id": _str(entry["space_id"]),
        "jurisdiction_code": entry["jurisdiction_code"],
        "award_id": _str(entry["award_id"]),
        "disbursement_id": _str(entry["disbursement_id"]),
        "case_id": _str(entry["case_id"]),
        "document_no": entry["document_no"],
        "memo": entry["memo"],
        "reverses_id": _str(entry["reverses_id"]),
        "created_at": created_at.isoformat(timespec="microseconds"),
        "created_by": entry["created_by"],
        "transfers": [list(line) for line in sorted(lines)],
    }
    return sha256_hex(canonical_json(content))


def link_hash(position: int, entry_seq: int, prev_hash: str, entry_content_hash: str) -> str:
    return sha256_hex(f"{position}:{entry_seq}:{prev_hash}:{entry_content_hash}")


async def seal(session: AsyncSession, *, batch: int = 5000, wait: bool = False) -> int:
    """Chain the committed entries not chained yet (up to ``batch``), in the caller's
    transaction; returns how many. On PostgreSQL one sealer works at a time: another that finds
    it busy returns 0 at once (the busy one seals for both), or with ``wait`` waits until the
    busy one has committed and then seals what is left."""
    if session.get_bind().dialect.name == "postgresql":
        if wait:
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
        else:
            got = await session.scalar(
                sa.select(sa.func.pg_try_advisory_xact_lock(_CHAIN_LOCK_KEY))
            )
            if not got:
                return 0
    last = (
        await session.execute(
            sa.select(ChainLink.position, ChainLink.hash)
            .order_by(ChainLink.position.desc())
            .limit(1)
        )
    ).first()
    position, prev = (0, GENESIS_HASH) if last is None else (last.position, last.hash)
    pending = (
        await session.execute(
            sa.select(JournalEntry.seq, JournalEntry.content_hash)
            .outerjoin(ChainLink, ChainLink.entry_seq == JournalEntry.seq)
            .where(ChainLink.entry_seq.is_(None))
            .order_by(JournalEntry.seq)
            .limit(batch)
        )
    ).all()
    if not pending:
        return 0
    now = utcnow()
    links = []
    for seq, digest in pending:
        position += 1
        link = link_hash(position, seq, prev, digest)
        links.append(
            {
                "position": position,
                "entry_seq": seq,
                "prev_hash": prev,
                "hash": link,
                "sealed_at": now,
            }
        )
        prev = link
    await session.execute(sa.insert(ChainLink), links)
    return len(links)


async def seal_all(database: Database, *, wait: bool = False) -> int:
    """Seal everything committed so far, each batch in its own transaction. The background
    sealer passes over a busy sealer; a caller that must see everything chained when this
    returns (verification) waits for it (``wait``), since a busy sealer's links are not visible
    until it commits."""
    total = 0
    while True:
        async with database.session() as session:
            sealed = await seal(session, wait=wait)
            await session.commit()
        total += sealed
        if sealed == 0:
            return total


async def keep_sealing(app: FastAPI) -> None:
    """The app's background sealer: chains new entries within about ``interval`` seconds."""
    interval: float = app.state.settings.ledger_seal_interval_seconds
    while True:
        try:
            await seal_all(app.state.database)
        except Exception:  # a failed pass is retried on the next; the chain stays a line
            log.exception("ledger_seal_failed")
        if not await pause(app, interval):
            return


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
    posted = await post(
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
    reversal = await session.get(JournalEntry, posted.seq)
    assert reversal is not None
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
    head_position: int | None
    head_hash: str | None
    unsealed: int = 0
    first_bad_position: int | None = None
    problem: str | None = None
    accounts_checked: int = 0
    accounts_mismatched: tuple[str, ...] = ()


async def verify(session: AsyncSession, *, batch: int = 2000) -> LedgerReport:
    """Walk the chain in order, recomputing every entry's content hash and every link; then
    recompute every account's sums from the transfers."""
    expected_prev, position, head_hash = GENESIS_HASH, 0, None
    while True:
        rows = (
            await session.execute(
                sa.select(ChainLink, JournalEntry)
                .join(JournalEntry, JournalEntry.seq == ChainLink.entry_seq)
                .where(ChainLink.position > position)
                .order_by(ChainLink.position)
                .limit(batch)
            )
        ).all()
        if not rows:
            break
        seqs = [entry.seq for _, entry in rows]
        lines: dict[int, list[Transfer]] = defaultdict(list)
        for transfer in (
            await session.scalars(sa.select(Transfer).where(Transfer.entry_seq.in_(seqs)))
        ).all():
            lines[transfer.entry_seq].append(transfer)
        for link, entry in rows:
            problem = None
            digest = content_hash(
                {c.key: getattr(entry, c.key) for c in _entry_columns},
                [(t.line, t.debit_account, t.credit_account, t.amount) for t in lines[entry.seq]],
            )
            if link.position != position + 1:
                problem = f"chain position {position + 1} is missing (found {link.position})"
            elif link.prev_hash != expected_prev:
                problem = "prev_hash does not match the previous link's hash"
            elif not lines[entry.seq]:
                problem = f"entry {entry.seq} has no transfers"
            elif digest != entry.content_hash or link.hash != link_hash(
                link.position, entry.seq, expected_prev, digest
            ):
                problem = f"entry {entry.seq} or its transfers were changed after they were sealed"
            if problem is not None:
                return LedgerReport(
                    False, position, position or None, head_hash, 0, link.position, problem
                )
            position = link.position
            expected_prev = head_hash = link.hash
        session.expunge_all()
    unsealed = await session.scalar(
        sa.select(sa.func.count())
        .select_from(JournalEntry)
        .outerjoin(ChainLink, ChainLink.entry_seq == JournalEntry.seq)
        .where(ChainLink.entry_seq.is_(None))
    )
    mismatched = await _mismatched_accounts(session)
    checked = await session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
    return LedgerReport(
        not mismatched,
        position,
        position or None,
        head_hash,
        unsealed or 0,
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
