"""The append-only, hash-chained audit log every service keeps of its state-changing requests.

Each record carries the hash of the one before it; changing, removing or reordering any
record breaks the chain from that point, which ``verify_chain`` reports. The database also
refuses UPDATE and DELETE on the table (see ``platform_schema``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.principal import Principal
from shared.canonical import canonical_json, sha256_hex
from shared.db import utcnow
from shared.pagination import PageParams, keyset_page
from shared.platform_schema import audit_log

GENESIS_HASH = "0" * 64
# Taken for the rest of the transaction: appends queue up, so the chain stays a single line.
_CHAIN_LOCK_KEY = 0x4C5A4D5341  # "LZMSA"


@dataclass
class AuditNote:
    """What a route says about the object its request acted on (filled in by the router)."""

    object_type: str | None = None
    object_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def about(self, object_type: str, object_id: object, **details: Any) -> None:
        self.object_type = object_type
        self.object_id = str(object_id)
        self.details.update(details)


@dataclass(frozen=True)
class AuditEvent:
    actor: Principal
    request_id: str
    method: str
    path: str
    action: str
    outcome: str
    status_code: int
    object_type: str | None = None
    object_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def record_hash(record: Mapping[Any, Any]) -> str:
    """The hash of a stored record: every column but ``hash`` itself, in canonical JSON."""
    hashed = {k: v for k, v in record.items() if k != "hash"}
    occurred_at = hashed["occurred_at"]
    if isinstance(occurred_at, datetime):
        hashed["occurred_at"] = occurred_at.isoformat(timespec="microseconds")
    return sha256_hex(canonical_json(hashed))


async def append(session: AsyncSession, event: AuditEvent) -> int:
    """Append one record to the chain inside the caller's transaction; returns its ``seq``."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    last = (
        await session.execute(
            sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        )
    ).first()
    seq = 1 if last is None else last.seq + 1
    record: dict[str, Any] = {
        "seq": seq,
        "occurred_at": utcnow(),
        "actor_subject": event.actor.subject,
        "actor_role": event.actor.role.value,
        "actor_jurisdiction": event.actor.jurisdiction,
        "request_id": event.request_id,
        "method": event.method,
        "path": event.path[:500],
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "status_code": event.status_code,
        "details": canonical_json(dict(event.details)),
        "prev_hash": GENESIS_HASH if last is None else last.hash,
    }
    record["hash"] = record_hash(record)
    await session.execute(sa.insert(audit_log).values(**record))
    return seq


async def records_page(
    session: AsyncSession,
    page: PageParams,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_subject: str | None = None,
) -> Sequence[RowMapping]:
    """One page of the log in chain order, optionally about one object or one actor."""
    stmt = sa.select(audit_log)
    for column, value in (
        (audit_log.c.object_type, object_type),
        (audit_log.c.object_id, object_id),
        (audit_log.c.actor_subject, actor_subject),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = keyset_page(stmt, [audit_log.c.seq], page, [int])
    return (await session.execute(stmt)).mappings().all()


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    records: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None = None
    problem: str | None = None


async def verify_chain(session: AsyncSession, *, batch: int = 5000) -> ChainReport:
    """Walk the whole log in order and check every link; stops at the first break.

    Read in key-ordered batches (no server-side cursor, so no transaction is needed); the log
    only grows at its end, so records appended during the walk are simply walked too.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    head_hash: str | None = None
    last_seq = 0
    while True:
        rows = (
            (
                await session.execute(
                    sa.select(audit_log)
                    .where(audit_log.c.seq > last_seq)
                    .order_by(audit_log.c.seq)
                    .limit(batch)
                )
            )
            .mappings()
            .all()
        )
        for row in rows:
            problem = _link_problem(row, expected_seq, expected_prev)
            if problem is not None:
                return ChainReport(False, count, count or None, head_hash, row["seq"], problem)
            count += 1
            expected_prev = head_hash = row["hash"]
            expected_seq += 1
        if len(rows) < batch:
            return ChainReport(True, count, count or None, head_hash)
        last_seq = rows[-1]["seq"]


def _link_problem(row: Mapping[Any, Any], expected_seq: int, expected_prev: str) -> str | None:
    """Why ``row`` does not continue the chain as verified so far, or None if it does."""
    if row["seq"] != expected_seq:
        return f"record {expected_seq} is missing (next stored is {row['seq']})"
    if row["prev_hash"] != expected_prev:
        return f"record {row['seq']} does not link to the record before it"
    if record_hash(row) != row["hash"]:
        return f"record {row['seq']} was altered after it was written"
    return None
