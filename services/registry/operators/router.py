"""HTTP for operators: status codes, headers (Location, ETag, If-Match) and the audit note."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.operators import service
from services.registry.operators.models import Operator
from services.registry.operators.schemas import (
    OperatorCreate,
    OperatorFilters,
    OperatorOut,
    OperatorUpdate,
    OperatorVersionOut,
    SearchText,
)
from shared.audit import AuditNote
from shared.auth import Principal
from shared.contracts.facts import OperatorKind
from shared.contracts.jurisdictions import JurisdictionCode
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/operators",
    tags=["operators · 运营主体"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)


_update_responses = problem_responses(404, 409, 412, 428)
_update_responses[428]["description"] = "If-Match missing: send the ETag you read"


def _audit(audit: AuditNote, operator: Operator, **details: Any) -> None:
    extra: dict[str, Any] = {"uscc_override": operator.uscc_override}
    if operator.uscc_override:
        extra["reason"] = operator.override_reason
    audit.about(
        "operator",
        operator.id,
        jurisdiction=operator.jurisdiction_code,
        version=operator.version,
        **extra,
        **details,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OperatorOut,
    summary="Register an operator · 登记运营主体",
    responses=problem_responses(409),
)
async def create_operator(
    body: OperatorCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> Operator:
    operator = await service.create_operator(session, principal, body)
    _audit(audit, operator)
    response.headers["Location"] = f"{router.prefix}/{operator.id}"
    response.headers["ETag"] = service.etag_for(operator.version)
    return operator


@router.get("", response_model=Page[OperatorOut], summary="List operators · 运营主体列表")
async def list_operators(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    jurisdiction_code: Annotated[JurisdictionCode | None, Query()] = None,
    kind: Annotated[OperatorKind | None, Query()] = None,
    q: Annotated[
        SearchText | None,
        Query(
            description="Part of the name, or of the 统一社会信用代码 (spaces, case and "
            "full-width characters in a code do not matter); Latin letters in any case, % and _ "
            "are characters, not wildcards. Within your jurisdiction, with the other filters"
        ),
    ] = None,
) -> dict[str, Any]:
    filters = OperatorFilters(jurisdiction_code=jurisdiction_code, kind=kind, q=q)
    rows = await service.list_operators(session, principal, filters, page)
    items, cursor = page_of(rows, page, lambda op: [op.created_at.isoformat(), str(op.id)])
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/{operator_id}",
    response_model=OperatorOut,
    summary="Read an operator · 查看运营主体",
    responses=problem_responses(404),
)
async def get_operator(
    operator_id: uuid.UUID,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> Operator:
    operator = await service.get_operator(session, principal, operator_id)
    response.headers["ETag"] = service.etag_for(operator.version)
    return operator


@router.patch(
    "/{operator_id}",
    response_model=OperatorOut,
    summary="Correct an operator · 更正运营主体 (a new version; the old one is kept)",
    responses=_update_responses,
)
async def update_operator(
    operator_id: uuid.UUID,
    body: OperatorUpdate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The ETag of the version you read, e.g. "3" (required; 428 without)',
        ),
    ] = None,
) -> Operator:
    change = await service.update_operator(session, principal, operator_id, body, if_match)
    _audit(audit, change.operator, changed=list(change.changed))
    response.headers["ETag"] = service.etag_for(change.operator.version)
    return change.operator


@router.get(
    "/{operator_id}/versions",
    response_model=Page[OperatorVersionOut],
    summary="An operator's history, oldest first · 运营主体变更记录",
    responses=problem_responses(404),
)
async def list_operator_versions(
    operator_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows = await service.list_versions(session, principal, operator_id, page)
    items, cursor = page_of(rows, page, lambda version: [version.version])
    return {"items": items, "next_cursor": cursor}
