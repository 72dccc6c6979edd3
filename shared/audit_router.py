"""The audit log's read and verify endpoints, mounted by every service for auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import records_page, verify_chain
from shared.auth import Principal, Role, require_roles
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_session

router = APIRouter(
    prefix="/v1/audit-log",
    tags=["audit · 审计日志"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)
readers = require_roles(Role.AUDITOR, Role.CITY_ADMIN)


class AuditRecord(BaseModel):
    seq: int
    occurred_at: datetime
    actor_subject: str
    actor_role: str
    actor_jurisdiction: str | None
    request_id: str
    method: str
    path: str
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    status_code: int
    details: str
    prev_hash: str
    hash: str


class ChainVerification(BaseModel):
    intact: bool
    records: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None
    problem: str | None


@router.get(
    "", response_model=Page[AuditRecord], summary="Read the audit log in order · 查阅审计日志"
)
async def list_audit_records(
    session: Annotated[AsyncSession, Depends(get_session)],
    _reader: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    object_type: Annotated[str | None, Query(max_length=60)] = None,
    object_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_subject: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    rows = await records_page(
        session, page, object_type=object_type, object_id=object_id, actor_subject=actor_subject
    )
    items, cursor = page_of(rows, page, lambda row: [row["seq"]])
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/verify",
    response_model=ChainVerification,
    summary="Check every link of the hash chain · 校验审计链",
)
async def verify_audit_chain(
    session: Annotated[AsyncSession, Depends(get_session)],
    _reader: Annotated[Principal, Depends(readers)],
) -> ChainVerification:
    report = await verify_chain(session)
    return ChainVerification(**report.__dict__)
