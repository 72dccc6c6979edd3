"""HTTP for a space's incubated teams: status codes, Location and the audit note."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.spaces.models import Space
from services.registry.teams import service
from services.registry.teams.models import Team, TeamField, TeamStatus
from services.registry.teams.schemas import (
    TeamCreate,
    TeamDetail,
    TeamExit,
    TeamFilters,
    TeamGraduation,
    TeamOut,
)
from services.registry.teams.service import TeamWithEvents
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/teams",
    tags=["teams · 入孵企业和团队"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)


def _audit(audit: AuditNote, space: Space, team: Team, **details: Any) -> None:
    audit.about(
        "team",
        team.id,
        jurisdiction=space.jurisdiction_code,
        space_id=str(space.id),
        status=team.status.value,
        **details,
    )


def _detail(found: TeamWithEvents) -> TeamDetail:
    return TeamDetail.model_validate(
        {**TeamOut.model_validate(found.team).model_dump(), "events": found.events}
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TeamDetail,
    summary="Record an incubated team · 登记入孵企业或团队",
    description="Answers the team with its history, as `GET .../teams/{team_id}` shows it.",
)
async def create_team(
    space_id: uuid.UUID,
    body: TeamCreate,
    response: Response,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> TeamDetail:
    space, team = await service.create_team(session, principal, space_id, body)
    _audit(audit, space, team)
    response.headers["Location"] = f"/v1/spaces/{space.id}/teams/{team.id}"
    return _detail(await service.with_events(session, team))


@router.get("", response_model=Page[TeamOut], summary="A space's teams · 入孵企业和团队列表")
async def list_teams(
    space_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
    team_status: Annotated[TeamStatus | None, Query(alias="status")] = None,
    field: Annotated[TeamField | None, Query()] = None,
) -> dict[str, Any]:
    filters = TeamFilters(status=team_status, field=field)
    rows = await service.list_teams(session, principal, space_id, filters, page)
    items, cursor = page_of(rows, page, lambda team: [team.created_at.isoformat(), str(team.id)])
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/{team_id}",
    response_model=TeamDetail,
    summary="Read a team and its history · 查看入孵企业或团队",
)
async def get_team(
    space_id: uuid.UUID,
    team_id: uuid.UUID,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(readers)],
) -> TeamDetail:
    return _detail(await service.get_team(session, principal, space_id, team_id))


@router.post(
    "/{team_id}/graduation",
    response_model=TeamDetail,
    summary="Record a graduation · 登记毕业 (once; kept in the history)",
    description="Answers the team with its history, as `GET .../teams/{team_id}` shows it.",
    responses=problem_responses(409),
)
async def graduate_team(
    space_id: uuid.UUID,
    team_id: uuid.UUID,
    body: TeamGraduation,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> TeamDetail:
    space, team = await service.graduate_team(session, principal, space_id, team_id, body)
    _audit(audit, space, team)
    return _detail(await service.with_events(session, team))


@router.post(
    "/{team_id}/exit",
    response_model=TeamDetail,
    summary="Record an exit · 登记退出 (once; kept in the history)",
    description=(
        "With an optional `reason` (退出原因) and `document_id`, a registry document of this "
        "space supporting it (another space's, or none, is a 422 naming the field); both are "
        "kept on the exit's event. Answers the team with its history, as `GET "
        ".../teams/{team_id}` shows it."
    ),
    responses=problem_responses(409),
)
async def exit_team(
    space_id: uuid.UUID,
    team_id: uuid.UUID,
    body: TeamExit,
    session: Annotated[AsyncSession, Depends(get_session)],
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> TeamDetail:
    space, team = await service.exit_team(session, principal, space_id, team_id, body)
    _audit(
        audit,
        space,
        team,
        reason=body.reason,
        document_id=None if body.document_id is None else str(body.document_id),
    )
    return _detail(await service.with_events(session, team))
