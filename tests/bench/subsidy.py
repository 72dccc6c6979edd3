"""The subsidy benchmark (``make bench-subsidy``): ledger postings per second on PostgreSQL,
beside plain single-row inserts into the same database in the same run.

Run from the repository root as ``python -m tests.bench.subsidy`` (``--dsn`` for another
server, ``--postings`` and ``--concurrency`` to change the load). It creates a scratch
database, migrates it, and measures, each with ``concurrency`` tasks sharing one engine:

- baseline: single-row INSERTs into a bare table, one transaction each, through the same
  SQLAlchemy sessions the service uses, and again on a bare asyncpg pool (the database's own
  capacity for one-row commits here);
- postings: ``ledger.post`` of a one-transfer entry, one transaction each, with every
  invariant on (accounts row-locked in a fixed order, balances checked and CHECK-constrained,
  the entry hash-chained, entries and transfers append-only), each task on its own award,
  with how many connections the pool opened meanwhile (a pool smaller than the concurrency
  closes and reopens connections, and every new one prepares its statements afresh);
- contended postings: the same, all tasks on ONE award (every posting waits for the last);
- tranches over the API: ``POST /v1/awards/{id}/disbursements`` in-process (auth,
  idempotency key, registry check, row locks, ledger, audit log), one award per task.

Prints a table of figures, the load average and the target; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import httpx
import sqlalchemy as sa

from services.subsidy.app import create_app
from services.subsidy.awards.models import Award, AwardKind, AwardStatus
from services.subsidy.budgets.models import Budget
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.config import SubsidySettings
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import AccountKind, EntryKind
from shared import migrate
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.contracts.spaces import SpaceForm
from shared.db import Database, utcnow

TARGET_POSTINGS_PER_SECOND = 1_000
YEAR = 2026


def _url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _admin(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _run(concurrency: int, total: int, one: Callable[[int, int], Awaitable[None]]) -> float:
    """Run ``total`` calls of ``one(task, i)`` over ``concurrency`` tasks; calls per second."""
    per_task = total // concurrency

    async def task(index: int) -> None:
        for i in range(per_task):
            await one(index, i)

    started = time.perf_counter()
    await asyncio.gather(*(task(t) for t in range(concurrency)))
    return per_task * concurrency / (time.perf_counter() - started)


def _count_new_connections(database: Database) -> Callable[[], float]:
    """From now on, count the connections the engine's pool opens; call the result to read."""
    opened = 0

    def on_connect(*_: object) -> None:
        nonlocal opened
        opened += 1

    sa.event.listen(database.engine.sync_engine.pool, "connect", on_connect)

    def read() -> float:
        sa.event.remove(database.engine.sync_engine.pool, "connect", on_connect)
        return float(opened)

    return read


async def _seed_awards(database: Database, count: int, amount: int) -> list[Award]:
    async with database.session() as session:
        session.add(Budget(fiscal_year=YEAR, created_at=utcnow(), created_by="bench"))
        await session.flush()
        appropriation = await ledger.open_account(session, AccountKind.APPROPRIATION, YEAR)
        budget = await ledger.open_account(session, AccountKind.BUDGET, YEAR)
        await ledger.post(
            session,
            ledger.Draft(
                kind=EntryKind.APPROPRIATION,
                effective_on=date(YEAR, 1, 5),
                memo="bench",
                legs=[ledger.Leg(budget, appropriation, amount * count)],
                fiscal_year=YEAR,
            ),
            "bench",
        )
        awards = []
        for _ in range(count):
            award = Award(
                id=uuid.uuid4(),
                space_id=uuid.uuid4(),
                space_name="基准测试空间",
                jurisdiction_code="620102",
                operator_id=None,
                space_form=SpaceForm.COMPREHENSIVE,
                kind=AwardKind.OPERATING_SUBSIDY,
                fiscal_year=YEAR,
                amount_fen=amount,
                policy_id="bench",
                decision_document_no="bench",
                decided_on=date(YEAR, 3, 1),
                status=AwardStatus.APPROVED,
                created_at=utcnow(),
                created_by="bench-a",
                approved_at=utcnow(),
                approved_by="bench-b",
            )
            session.add(award)
            await session.flush()
            for kind in (AccountKind.COMMITTED, AccountKind.IN_TRANSIT, AccountKind.DISBURSED):
                await ledger.open_account(
                    session, kind, award.id, fiscal_year=YEAR, award_id=award.id
                )
            await ledger.post(
                session,
                ledger.Draft(
                    kind=EntryKind.AWARD_COMMITTED,
                    effective_on=date(YEAR, 3, 1),
                    memo="bench",
                    legs=[ledger.Leg(f"committed:{award.id}", budget, amount)],
                    award_id=award.id,
                ),
                "bench",
            )
            awards.append(award)
        await session.commit()
    return awards


async def bench(dsn: str, postings: int, concurrency: int) -> list[tuple[str, float, str]]:
    name = f"lzms_bench_subsidy_{uuid.uuid4().hex[:8]}"
    await _admin(dsn, f'CREATE DATABASE "{name}"')
    url = _url(dsn, name)
    try:
        await asyncio.to_thread(migrate.upgrade, "subsidy", url)
        database = Database(url)
        rows: list[tuple[str, float, str]] = []
        try:
            async with database.session() as session:
                await session.execute(
                    sa.text("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, amount bigint)")
                )
                await session.commit()

            async def insert(_task: int, i: int) -> None:
                async with database.session() as session:
                    await session.execute(
                        sa.text("INSERT INTO bench_baseline (amount) VALUES (:a)"), {"a": i}
                    )
                    await session.commit()

            awards = await _seed_awards(database, concurrency + 1, 10**11)
            shared_award = awards[-1]

            def poster(award_of: Callable[[int], Award]) -> Callable[[int, int], Awaitable[None]]:
                async def post(task: int, _i: int) -> None:
                    award = award_of(task)
                    async with database.session() as session:
                        await ledger.post(
                            session,
                            ledger.Draft(
                                kind=EntryKind.DISBURSEMENT_INSTRUCTED,
                                effective_on=date(YEAR, 4, 1),
                                memo="bench",
                                legs=[
                                    ledger.Leg(f"in_transit:{award.id}", f"committed:{award.id}", 1)
                                ],
                                award_id=award.id,
                            ),
                            "bench",
                        )
                        await session.commit()

                return post

            pool = await asyncpg.create_pool(
                dsn.rsplit("/", 1)[0] + f"/{name}", min_size=concurrency, max_size=concurrency
            )

            async def raw_insert(_task: int, i: int) -> None:
                async with pool.acquire() as connection, connection.transaction():
                    await connection.execute("INSERT INTO bench_baseline (amount) VALUES ($1)", i)

            await _run(concurrency, concurrency * 20, insert)  # warm the pool and caches
            await _run(concurrency, concurrency * 20, raw_insert)
            baseline = await _run(concurrency, postings, insert)
            raw = await _run(concurrency, postings, raw_insert)
            await pool.close()
            opened = _count_new_connections(database)
            separate = await _run(concurrency, postings, poster(lambda t: awards[t]))
            reconnects = opened()
            contended = await _run(concurrency, postings // 2, poster(lambda _t: shared_award))
            rows += [
                ("baseline: single-row INSERT, one transaction each", baseline, "rows/s"),
                ("  the same on a bare asyncpg pool (no SQLAlchemy)", raw, "rows/s"),
                ("ledger postings, one award per task", separate, "postings/s"),
                ("  (connections the pool opened meanwhile)", reconnects, "connections"),
                ("ledger postings, all tasks on one award", contended, "postings/s"),
            ]
            await ledger.seal_all(database)
            async with database.session() as session:
                report = await ledger.verify(session)
            assert report.intact, report
            rows.append(
                ("  (chain and balances verified afterwards)", float(report.entries), "entries")
            )
        finally:
            await database.dispose()
        rows.append(await _api(url, concurrency, postings // 4))
        return rows
    finally:
        await _admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _api(url: str, concurrency: int, total: int) -> tuple[str, float, str]:
    settings = SubsidySettings(database_url=url, env="test", log_level="WARNING")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        database: Database = app.state.database
        awards = await _seed_awards_after(database, concurrency)

        def standing(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200,
                json={
                    "space_id": request.url.path.split("/")[3],
                    "name": "基准测试空间",
                    "jurisdiction_code": "620102",
                    "form": "comprehensive",
                    "profile": "tech_startup",
                    "operator_id": None,
                    "as_of": request.url.params["as_of"],
                    "status": "recognised",
                    "status_since": "2025-01-01",
                    "levels": ["municipal"],
                },
            )

        await app.state.registry_client.aclose()
        app.state.registry_client = RegistryClient(
            "registry", "http://registry", lambda: "t", transport=httpx.MockTransport(standing)
        )
        token = issue_token(settings, role=Role.FINANCE_OFFICER, subject="bench-finance")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def tranche(task: int, _i: int) -> None:
                response = await client.post(
                    f"/v1/awards/{awards[task].id}/disbursements",
                    json={"amount_fen": 1, "payee_name": "运营公司", "payee_account": "6222 0000"},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": str(uuid.uuid4()),
                    },
                )
                assert response.status_code == 201, response.text

            rate = await _run(concurrency, total, tranche)
    return ("tranches over the API, in-process (full request path)", rate, "requests/s")


async def _seed_awards_after(database: Database, count: int) -> list[Award]:
    async with database.session() as session:
        awards = (await session.scalars(sa.select(Award).order_by(Award.created_at))).all()
    return list(awards)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--postings", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = asyncio.run(bench(args.dsn, args.postings, args.concurrency))
    print(
        f"subsidy benchmark · {platform.python_implementation()} {platform.python_version()} · "
        f"{os.cpu_count()} cores · PostgreSQL · {args.concurrency} concurrent tasks · "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    width = max(len(label) for label, _, _ in rows)
    baseline = rows[0][1]
    for label, value, unit in rows:
        ratio = f"{value / baseline:5.2f}× baseline" if unit.endswith("/s") else ""
        print(f"  {label:<{width}}  {value:10,.0f} {unit:<11} {ratio}")
    posting_rate = rows[2][1]
    verdict = "met" if posting_rate >= TARGET_POSTINGS_PER_SECOND else "NOT met"
    print(f"  target: ≥ {TARGET_POSTINGS_PER_SECOND:,} postings/s with all invariants: {verdict}")


if __name__ == "__main__":
    main()
