"""The registry benchmark (``make bench-registry``): reads at national scale over HTTP, beside a
bare FastAPI endpoint doing one asyncpg query on the same database, in the same run.

Run from the repository root as ``python -m tests.bench.registry`` after ``make seed-scale``
(``--database-url`` for another seeded database; ``--concurrency``, ``--requests`` to change
the load). Each server is a real uvicorn process (one worker, the same options), started and
stopped in turn so they never share the CPUs with each other; the load comes from a minimal
keep-alive HTTP/1.1 client in this process (cheaper per request than httpx, so the client is
not what limits the baseline). For each read it prints requests/s at ``concurrency``
connections and p50/p95/p99 latency, and the statistics endpoint's latency one request at a
time. Targets from the issue: every registry read at least half the baseline's throughput;
statistics within 200 ms. Each read is held against its own statement sent bare (the space by
id, the first page and the facts send exactly what the registry sends), so the share is what
the service adds on top of the database; beside it, its share of a simpler bare query (seven
columns of ``spaces`` by key, no status) for reference. It asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException

from services.registry.facts.repository import FACTS_SQL_POSTGRESQL, facts_parameters
from services.registry.spaces.repository import (
    FIRST_PAGE_SQL_POSTGRESQL,
    SPACE_BY_ID_SQL_POSTGRESQL,
)
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.settings import DEV_JWT_SECRET
from tests.bench.registry_seed import PG_ADMIN_DSN, SCRATCH_DATABASE, asyncpg_dsn, database_url
from tests.bench.servers import uvicorn

AS_OF = "2026-06-30"
WARMUP = 100
STATISTICS_SAMPLES = 30
THROUGHPUT_SHARE_TARGET = 0.5
STATISTICS_TARGET_MS = 200.0
BASELINE_DSN_ENV = "REGISTRY_BENCH_BASELINE_DSN"
BASELINE_ONE = "baseline: the registry's space-by-id statement"
BASELINE_PAGE = "baseline: the registry's first-page statement"
BASELINE_FACTS = "baseline: the registry's facts statement"
SIMPLE_ONE = "baseline: 7 columns of one space by key"
SIMPLE_PAGE = "baseline: 7 columns of the first 50 by key"


# ---------------------------------------------------------------------------------------------
# The baseline: a bare FastAPI app, one asyncpg query per request
# ---------------------------------------------------------------------------------------------


def baseline_app() -> FastAPI:
    """One asyncpg query per request, each answered as plain JSON of its rows.

    The registry's own statements, sent bare: ``GET /spaces/{id}`` (a space by id, with its
    current status), ``GET /spaces`` (the unfiltered first page), ``GET /facts/{id}`` (the facts
    as of AS_OF). Simpler queries, for reference: ``GET /simple/spaces/{id}`` and
    ``GET /simple/spaces``, seven columns of ``spaces`` by key, no status.
    """
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(os.environ[BASELINE_DSN_ENV], max_size=10)
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)
    columns = "id, name, jurisdiction_code, form, profile, opened_on, created_at"

    async def one_row(sql: str, *arguments: Any) -> dict[str, Any]:
        row = await state["pool"].fetchrow(sql, *arguments)
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.get("/spaces/{space_id}")
    async def one(space_id: uuid.UUID) -> dict[str, Any]:
        return await one_row(SPACE_BY_ID_SQL_POSTGRESQL, space_id)

    @app.get("/spaces")
    async def page() -> list[dict[str, Any]]:
        rows = await state["pool"].fetch(FIRST_PAGE_SQL_POSTGRESQL, 51)
        return [dict(row) for row in rows[:50]]

    @app.get("/facts/{space_id}")
    async def facts(space_id: uuid.UUID) -> dict[str, Any]:
        return await one_row(
            FACTS_SQL_POSTGRESQL, *facts_parameters(space_id, date.fromisoformat(AS_OF))
        )

    @app.get("/simple/spaces/{space_id}")
    async def simple_one(space_id: uuid.UUID) -> dict[str, Any]:
        return await one_row(f"SELECT {columns} FROM spaces WHERE id = $1", space_id)

    @app.get("/simple/spaces")
    async def simple_page() -> list[dict[str, Any]]:
        rows = await state["pool"].fetch(
            f"SELECT {columns} FROM spaces ORDER BY created_at, id LIMIT 50"
        )
        return [dict(row) for row in rows]

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return app


# ---------------------------------------------------------------------------------------------
# A minimal HTTP/1.1 keep-alive client (GET only; uvicorn answers with Content-Length)
# ---------------------------------------------------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def get(self, path: str, headers: bytes) -> tuple[int, bytes]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nhost: bench\r\n".encode() + headers + b"\r\n")
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def load(
    port: int, label: str, paths: Sequence[str], headers: bytes, requests: int, concurrency: int
) -> Result:
    """``requests`` GETs over ``concurrency`` connections, cycling through ``paths``."""
    connections = [await Connection.open(port) for _ in range(concurrency)]
    counter = iter(range(WARMUP + requests))
    latencies: list[float] = []

    async def worker(connection: Connection) -> None:
        for index in counter:
            started = time.perf_counter()
            status, body = await connection.get(paths[index % len(paths)], headers)
            if status != 200:
                raise SystemExit(
                    f"{label}: {paths[index % len(paths)]} answered {status}: {body!r}"
                )
            if index >= WARMUP:
                latencies.append((time.perf_counter() - started) * 1000)

    # Warm up on one connection, then time the rest with all of them.
    for _ in range(WARMUP):
        await worker_one(connections[0], next(counter), paths, headers, label)
    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    seconds = time.perf_counter() - started
    for connection in connections:
        connection.close()
    return Result(label, len(latencies), seconds, latencies)


async def worker_one(
    connection: Connection, index: int, paths: Sequence[str], headers: bytes, label: str
) -> None:
    status, body = await connection.get(paths[index % len(paths)], headers)
    if status != 200:
        raise SystemExit(f"{label}: {paths[index % len(paths)]} answered {status}: {body!r}")


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


@dataclass
class Workload:
    space_ids: list[str]
    counts: dict[str, int]


async def _workload(dsn: str) -> Workload:
    connection = await asyncpg.connect(dsn)
    try:
        counts = {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
            for table in ("spaces", "teams", "activities", "space_status_changes", "staff_members")
        }
        ids = await connection.fetch(
            "SELECT id::text FROM spaces WHERE opened_on <= $1::date ORDER BY md5(id::text) "
            "LIMIT 1000",
            date.fromisoformat(AS_OF),
        )
        return Workload([row[0] for row in ids], counts)
    finally:
        await connection.close()


def _deep_cursors(port: int, headers: dict[str, str], first: int, count: int) -> list[str]:
    """The cursors of pages ``first`` .. ``first + count - 1`` (50 a page), walked in order."""
    cursors: list[str] = []
    cursor: str | None = None
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
        for page in range(1, first + count):
            params = {"limit": "50"} | ({"cursor": cursor} if cursor else {})
            response = client.get("/v1/spaces", params=params)
            response.raise_for_status()
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
            if page + 1 >= first:
                cursors.append(cursor)
    return cursors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "REGISTRY_SCALE_DATABASE_URL", database_url(PG_ADMIN_DSN, SCRATCH_DATABASE)
        ),
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2_000)
    args = parser.parse_args(argv)
    dsn = asyncpg_dsn(args.database_url)

    try:
        workload = asyncio.run(_workload(dsn))
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(f"cannot read {args.database_url} ({exc}); run `make seed-scale`") from exc
    if workload.counts["spaces"] == 0:
        raise SystemExit(f"{args.database_url} holds no spaces; run `make seed-scale` first")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python "
        f"{platform.python_version()}; load average "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} at start (other work shares the CPUs)"
    )
    print(
        "database: "
        + ", ".join(f"{table} {count:,}" for table, count in workload.counts.items())
        + f" ({args.database_url.rsplit('@', 1)[-1]})"
    )
    print(
        f"load: {args.requests:,} requests per read after {WARMUP} warm-up, "
        f"{args.concurrency} keep-alive connections; statistics {STATISTICS_SAMPLES} one at a "
        "time\n",
        flush=True,
    )
    env = {**os.environ, BASELINE_DSN_ENV: dsn}
    results: list[Result] = []
    ids = workload.space_ids
    with uvicorn("tests.bench.registry:baseline_app", env) as port:
        for label, paths in (
            (BASELINE_ONE, [f"/spaces/{i}" for i in ids]),
            (BASELINE_PAGE, ["/spaces"]),
            (BASELINE_FACTS, [f"/facts/{i}" for i in ids]),
            (SIMPLE_ONE, [f"/simple/spaces/{i}" for i in ids]),
            (SIMPLE_PAGE, ["/simple/spaces"]),
        ):
            results.append(
                asyncio.run(load(port, label, paths, b"", args.requests, args.concurrency))
            )
    registry_env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": args.database_url,
        "REGISTRY_ENV": "dev",
        "REGISTRY_JWT_SECRET": DEV_JWT_SECRET,
        "REGISTRY_LOG_LEVEL": os.environ.get("REGISTRY_LOG_LEVEL", "WARNING"),
        "REGISTRY_EVENT_SUBSCRIBERS": "{}",
    }
    from services.registry.config import RegistrySettings

    token = issue_token(
        RegistrySettings(database_url=args.database_url, env="dev"),
        role=Role.CITY_ADMIN,
        subject="bench-registry",
    )
    auth = {"Authorization": f"Bearer {token}"}
    raw_auth = f"authorization: Bearer {token}\r\n".encode()
    statistics_ms: list[float] = []
    with uvicorn("services.registry.app:create_app", registry_env) as port:
        cursors = _deep_cursors(port, auth, 100, 50)
        # (label, paths, the baseline it is held against: its own statement sent bare, and the
        # simpler query it is also shown against)
        page, one = (BASELINE_PAGE, SIMPLE_PAGE), (BASELINE_ONE, SIMPLE_ONE)
        reads: list[tuple[str, list[str], tuple[str, str] | None]] = [
            ("(floor) GET /healthz: registry middleware, no auth or SQL", ["/healthz"], None),
            ("GET /v1/spaces (first page of 50)", ["/v1/spaces?limit=50"], page),
            (
                "GET /v1/spaces filtered (jurisdiction, form, status)",
                [
                    "/v1/spaces?limit=50&jurisdiction_code=620102&form=comprehensive&status=recognised"
                ],
                page,
            ),
            (
                f"GET /v1/spaces deep pages (100-{99 + len(cursors)}, by cursor)",
                [f"/v1/spaces?limit=50&cursor={quote(c)}" for c in cursors],
                page,
            ),
            ("GET /v1/spaces/{id}", [f"/v1/spaces/{i}" for i in ids], one),
            (
                "GET /v1/spaces/{id}/facts?as_of=",
                [f"/v1/spaces/{i}/facts?as_of={AS_OF}" for i in ids],
                (BASELINE_FACTS, SIMPLE_ONE),
            ),
            ("GET /v1/statistics?as_of= (concurrent)", [f"/v1/statistics?as_of={AS_OF}"], None),
        ]
        held_against = {label: baseline for label, _, baseline in reads}
        for label, paths, _ in reads:
            requests = args.requests if "statistics" not in label else max(50, args.requests // 20)
            results.append(
                asyncio.run(load(port, label, paths, raw_auth, requests, args.concurrency))
            )
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=60) as client:
            for _ in range(STATISTICS_SAMPLES):
                started = time.perf_counter()
                response = client.get("/v1/statistics", params={"as_of": AS_OF})
                statistics_ms.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            figures = response.json()

    rates = {result.label: result.rate for result in results}
    print(
        f"{'read':58} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8}  "
        "share of its statement sent bare (of the simpler query)"
    )
    for result in results:
        verdict = ""
        baselines = held_against.get(result.label)
        if baselines is not None:
            own, simple = baselines
            share = result.rate / rates[own]
            met = share >= THROUGHPUT_SHARE_TARGET
            verdict = (
                f"{share:6.1%} ({'met' if met else 'MISSED'}: ≥ 50%)  "
                f"({result.rate / rates[simple]:.1%} of {simple.removeprefix('baseline: ')})"
            )
        print(
            f"{result.label:58} {result.rate:8,.0f} {result.percentile(50):6.1f}ms "
            f"{result.percentile(95):6.1f}ms {result.percentile(99):6.1f}ms  {verdict}"
        )
    stats = Result("statistics", len(statistics_ms), sum(statistics_ms) / 1000, statistics_ms)
    met = stats.percentile(95) <= STATISTICS_TARGET_MS
    print(
        f"\nGET /v1/statistics one at a time ({STATISTICS_SAMPLES}): p50/p95/p99 "
        f"{stats.percentile(50):.0f} / {stats.percentile(95):.0f} / {stats.percentile(99):.0f} ms "
        f"({'met' if met else 'MISSED'}: within {STATISTICS_TARGET_MS:.0f} ms)"
    )
    print(
        f"statistics as of {AS_OF}: {figures['spaces']['total']:,} spaces, "
        f"{figures['levels']['municipal_or_above']:,} municipal or above, "
        f"{figures['teams']['in_incubation']:,} teams in incubation, "
        f"{figures['activities']['count']:,} activities in {figures['year']}"
    )
    print(json.dumps({r.label: round(r.rate) for r in results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
