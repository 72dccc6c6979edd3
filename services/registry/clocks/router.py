"""HTTP for the procedure's time limits (the clocks themselves are shown with their subject)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import bureau, readers
from services.registry.clocks import service
from services.registry.clocks.models import ProcedureStep
from services.registry.clocks.schemas import (
    TimeLimitOut,
    TimeLimitPut,
    TimeLimitSetOut,
    TimeLimitVersionOut,
)
from services.registry.clocks.service import TimeLimitRecord
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/procedure/time-limits",
    tags=["procedure · 认定程序"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 422),
)


def _out(record: TimeLimitRecord) -> TimeLimitOut:
    versions = [
        TimeLimitVersionOut.model_validate(v, from_attributes=True) for v in record.versions
    ]
    return TimeLimitOut(step=record.step, current=versions[0], versions=versions)


@router.get(
    "",
    response_model=list[TimeLimitOut],
    summary="The time limits of the procedure's steps · 办理时限",
    description="Each step's limit in force (kind, legal basis, length in working days) and "
    "every earlier version. A clock copies the limit in force when it starts.",
)
async def list_time_limits(
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> list[TimeLimitOut]:
    return [_out(r) for r in await service.list_limits(session)]


@router.put(
    "/{step}",
    response_model=TimeLimitSetOut,
    summary="Set a step's time limit · 设定办理时限 (a new version)",
    description="The bureau (city_admin) only. Adds a version (every earlier one is kept); "
    "clocks already running keep the limit they started with. The same limit sent again "
    "adds nothing (`changed`: false).",
)
async def set_time_limit(
    step: ProcedureStep,
    body: TimeLimitPut,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(bureau)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> TimeLimitSetOut:
    record, changed = await service.set_limit(session, principal, step, body)
    out = _out(record)
    audit.about(
        "procedure_time_limit",
        step.value,
        version=out.current.version,
        length_wd=out.current.length_wd,
        kind=out.current.kind.value,
        changed=changed,
    )
    return TimeLimitSetOut(**out.model_dump(), changed=changed)
