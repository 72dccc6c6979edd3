"""Revision 0003 on a database that already holds awards and payments: the awards decided
before it keep their policy id and get no policy hash (which version of the file applied is
not known), and the hash column takes only a SHA-256."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from shared import migrate
from shared.db import create_engine

AWARD = uuid.uuid4()


async def _run(url: str, *statements: str) -> list[sa.Row[tuple[object, ...]]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            rows: list[sa.Row[tuple[object, ...]]] = []
            for statement in statements:
                result = await connection.execute(sa.text(statement))
                rows = list(result.all()) if result.returns_rows else rows
            return rows
    finally:
        await engine.dispose()


def _id(value: uuid.UUID, backend: str) -> str:
    return value.hex if backend == "sqlite" else str(value)


async def test_awards_decided_before_keep_a_null_hash(databases, backend) -> None:
    url = await asyncio.to_thread(databases.empty, "subsidy", backend)
    await asyncio.to_thread(migrate.upgrade, "subsidy", url, "0002")
    award = _id(AWARD, backend)
    await _run(
        url,
        "INSERT INTO awards (id, space_id, space_name, jurisdiction_code, space_form, kind, "
        "fiscal_year, amount_fen, policy_id, decision_document_no, decided_on, status, "
        f"created_at, created_by) VALUES ('{award}', '{_id(uuid.uuid4(), backend)}', '空间', "
        "'620102', 'comprehensive', 'recognition', 2026, 20000000, 'example-2026', "
        "'兰科发〔2026〕1号', '2026-03-02', 'pending_approval', '2026-03-02 01:00:00+00:00', "
        "'finance-zhang')",
        "INSERT INTO disbursements (id, award_id, tranche_no, amount_fen, method, status, "
        f"created_at, created_by) VALUES ('{_id(uuid.uuid4(), backend)}', '{award}', 1, 100, "
        "'payment', 'created', '2026-03-03 01:00:00+00:00', 'finance-zhang')",
    )
    await asyncio.to_thread(migrate.upgrade, "subsidy", url)
    rows = await _run(url, "SELECT policy_id, policy_content_hash FROM awards")
    assert [tuple(row) for row in rows] == [("example-2026", None)]
    with pytest.raises(sa.exc.IntegrityError):
        await _run(url, "UPDATE awards SET policy_content_hash = 'not a sha-256'")
    await _run(url, f"UPDATE awards SET policy_content_hash = '{'a' * 64}'")
