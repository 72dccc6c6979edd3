"""HTTP for a space's levels: record a provincial level or national filing, its withdrawal."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers
from services.registry.levels import service
from services.registry.levels.schemas import (
    LevelCreate,
    LevelEndOut,
    LevelOut,
    LevelWithdrawal,
)
from services.registry.levels.service import LevelRecord
from services.registry.spaces.models import Space
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/levels",
    tags=["levels · 级别"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


def level_out(record: LevelRecord) -> LevelOut:
    grant, end = record.grant, record.end
    return LevelOut(
        id=grant.id,
        space_id=grant.space_id,
        level=grant.level,
        document_no=grant.document_no,
        effective_on=grant.effective_on,
        recorded_at=grant.recorded_at,
        recorded_by=grant.recorded_by,
        ended=LevelEndOut.model_validate(end) if end is not None else None,
    )


def _audit(audit: AuditNote, space: Space, record: LevelRecord) -> None:
    audit.about(
        "space_level",
        record.grant.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        level=record.grant.level.value,
        ended_on=record.end.ended_on.isoformat() if record.end else None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=LevelOut,
    summary="Record a provincial level or national filing · 登记省级/国家备案",
    description="The bureau (city_admin) only; emits `space.level_recorded`. The municipal "
    "level is made by recognition and ended by revocation, never here.",
    responses=problem_responses(409),
)
async def record_level(
    space_id: uuid.UUID,
    body: LevelCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> LevelOut:
    space, record = await service.record_level(session, principal, space_id, body)
    _audit(audit, space, record)
    response.headers["Location"] = f"/v1/spaces/{space.id}/levels"
    return level_out(record)


@router.get(
    "",
    response_model=list[LevelOut],
    summary="A space's levels, held and ended · 级别记录",
)
async def list_levels(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> list[LevelOut]:
    return [level_out(r) for r in await service.list_levels(session, principal, space_id)]


@router.post(
    "/{level_id}/withdrawal",
    status_code=status.HTTP_201_CREATED,
    response_model=LevelOut,
    summary="Record a level's withdrawal · 登记级别撤销 (once; kept as recorded)",
    description="The bureau (city_admin) only; provincial levels and national filings only.",
    responses=problem_responses(409),
)
async def withdraw_level(
    space_id: uuid.UUID,
    level_id: uuid.UUID,
    body: LevelWithdrawal,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> LevelOut:
    space, record = await service.withdraw_level(session, principal, space_id, level_id, body)
    _audit(audit, space, record)
    return level_out(record)
