"""Idempotency keys: a POST retried with the same key returns the first result, once.

The key is claimed inside the request's own transaction, so the claim, the work and the
stored response commit together or not at all. A concurrent retry waits on the claim
(PostgreSQL's unique index, SQLite's write lock) and then replays what the first stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
import structlog
from fastapi import Depends, FastAPI, Header
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from shared.auth.dependencies import authenticated
from shared.auth.principal import Principal
from shared.background import pause
from shared.canonical import canonical_json, sha256_hex
from shared.db import utcnow
from shared.errors import Conflict, FieldError, ProblemError, RequestInvalid, UnprocessableRequest
from shared.platform_schema import idempotency_keys

log = structlog.get_logger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYED_RESPONSE_HEADERS = ("content-type", "location", "etag")


class IdempotencyKeyReused(UnprocessableRequest):
    slug, title = "idempotency-key-reused", "Idempotency key already used for another request"


class IdempotencyKeyInFlight(Conflict):
    slug, title = "idempotency-key-in-flight", "A request with this idempotency key is in progress"


def check_key(raw: str) -> str:
    if not _KEY_PATTERN.match(raw):
        raise RequestInvalid(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is best)",
            [
                FieldError(
                    field="header.Idempotency-Key",
                    message="1-255 visible ASCII characters",
                    type="value_error",
                )
            ],
        )
    return raw


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests 'the same': method, path, query and the body's JSON content.

    A body that is not JSON, or not JSON we could store (nested past the stack, holding a lone
    surrogate, which no UTF-8 can carry), is taken byte for byte; the route refuses it anyway.
    """
    try:
        content = canonical_json(json.loads(body)) if body else ""
        return sha256_hex(canonical_json([method, path, query, content]))
    except (ValueError, RecursionError):  # UnicodeDecodeError and UnicodeEncodeError included
        return sha256_hex(canonical_json([method, path, query, sha256_hex(body)]))


@dataclass(frozen=True)
class Claim:
    subject: str
    key: str
    fingerprint: str

    @classmethod
    def of(
        cls, principal: Principal, raw_key: str, method: str, path: str, query: str, body: bytes
    ) -> Claim:
        # Keys belong to one caller acting in one capacity: the same subject under another
        # role or jurisdiction never sees this caller's stored results.
        owner = f"{principal.role.value}/{principal.jurisdiction or '-'}/{principal.subject}"
        return cls(owner, check_key(raw_key), fingerprint(method, path, query, body))


async def claim_or_replay(
    session: AsyncSession, claim: Claim, method: str, path: str
) -> Response | None:
    """Claim the key for this transaction, or return the stored response of the first request.

    Returns None when the claim is ours: the caller goes on to do the work.
    """
    values = {
        "principal_subject": claim.subject,
        "idempotency_key": claim.key,
        "fingerprint": claim.fingerprint,
        "method": method,
        "path": path[:500],
        "created_at": utcnow(),
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = await session.execute(
        insert(idempotency_keys)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.idempotency_key)
    )
    if inserted.first() is not None:
        return None
    stored = (
        (
            await session.execute(
                sa.select(idempotency_keys).where(
                    idempotency_keys.c.principal_subject == claim.subject,
                    idempotency_keys.c.idempotency_key == claim.key,
                )
            )
        )
        .mappings()
        .one()
    )
    if stored["fingerprint"] != claim.fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {claim.key!r} was first used for a different request "
            f"({stored['method']} {stored['path']} with another body); use a new key for a new "
            "request, or resend the original request unchanged"
        )
    if stored["status_code"] is None:  # only visible if the first holder stored nothing
        raise IdempotencyKeyInFlight(
            f"The first request with Idempotency-Key {claim.key!r} has not finished; retry shortly"
        )
    headers = json.loads(stored["response_headers"] or "{}")
    headers[REPLAYED_HEADER] = "true"
    return Response(
        content=stored["response_body"] or b"", status_code=stored["status_code"], headers=headers
    )


async def store_response(session: AsyncSession, claim: Claim, response: Response) -> None:
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() in _REPLAYED_RESPONSE_HEADERS
    }
    await session.execute(
        sa.update(idempotency_keys)
        .where(
            idempotency_keys.c.principal_subject == claim.subject,
            idempotency_keys.c.idempotency_key == claim.key,
        )
        .values(
            status_code=response.status_code,
            response_headers=json.dumps(headers),
            response_body=bytes(response.body),
        )
    )


class IdempotencyKeyRequired(ProblemError):
    status, slug, title = 428, "idempotency-key-required", "Idempotency-Key required"


async def require_idempotency_key(
    _caller: Annotated[Principal, Depends(authenticated)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="Required: a unique key per intended operation (a UUID is best); a "
            "retry with the same key returns the first result and acts once",
        ),
    ] = None,
) -> str:
    """Dependency for a POST that must happen at most once (money): refuse it without a key.

    Its route checks the caller's token and role first (``shared.route_guard``): the key is
    looked at only for a caller who may make the request at all."""
    return required_key(idempotency_key)


def required_key(raw: str | None) -> str:
    """The key a money POST must carry: 428 without one, 422 for a malformed one."""
    if raw is None:
        raise IdempotencyKeyRequired(
            "This request moves money: send an Idempotency-Key header (a new UUID per "
            "operation, the same one on every retry of it) so a retry cannot act twice"
        )
    return check_key(raw)


async def purge_expired(session: AsyncSession, older_than: datetime) -> int:
    """Forget the requests completed before ``older_than`` (their keys may then act anew)."""
    result = await session.execute(
        sa.delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def keep_purging(app: FastAPI) -> None:
    """Every app's background task: forget keys past the retention, about once an interval."""
    settings = app.state.settings
    while await pause(app, settings.idempotency_purge_interval_seconds):
        cutoff = utcnow() - timedelta(days=settings.idempotency_retention_days)
        try:
            async with app.state.database.session() as session:
                purged = await purge_expired(session, cutoff)
                await session.commit()
        except Exception:  # the next pass tries again; requests are unaffected
            log.exception("idempotency_purge_failed")
        else:
            if purged:
                log.info("idempotency_keys_purged", purged=purged, before=cutoff.isoformat())
