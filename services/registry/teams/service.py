"""The rules for teams (入孵企业/创业团队): dates, credit codes, and ending incubation once.

No HTTP here. Every refusal is raised before anything is written, so a refused request
changes nothing; joining, graduating and exiting each append an event to the team's history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import supporting_documents
from services.registry.operators.uscc import check_uscc
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.teams import repository, rollup
from services.registry.teams.models import Team, TeamEvent, TeamEventKind, TeamStatus
from services.registry.teams.schemas import TeamCreate, TeamExit, TeamFilters, TeamGraduation
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors


class TeamNotFound(NotFound):
    slug = "team-not-found"


class TeamInvalid(RequestInvalid):
    slug = "team-invalid"


class TeamAlreadyLeft(Conflict):
    slug = "team-already-left"


@dataclass(frozen=True)
class TeamWithEvents:
    team: Team
    events: Sequence[TeamEvent]


async def create_team(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: TeamCreate
) -> tuple[Space, Team]:
    # The space's row lock: a move or an opened_on correction of the space waits for
    # this write (and it for them), so the rollup and the dates agree with both.
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    errors = future_date_errors("body.joined_on", data.joined_on)
    # A team cannot be incubated by a space that was not yet operating; an earlier date is a
    # data error (and would contradict the space's opened_on that C1 relies on).
    if not errors and data.joined_on < space.opened_on:
        errors.append(
            _field(
                "body.joined_on",
                f"is before the space began operating ({space.opened_on.isoformat()})",
            )
        )
    uscc, uscc_errors = _checked_uscc("body.uscc", data.uscc)
    _raise_if_invalid([*errors, *uscc_errors])
    now = utcnow()
    team = Team(
        id=uuid.uuid4(),
        space_id=space.id,
        name=data.name,
        uscc=uscc,
        field=data.field,
        joined_on=data.joined_on,
        status=TeamStatus.IN_INCUBATION,
        left_on=None,
        registered_enterprise_name=None,
        registered_enterprise_uscc=None,
        created_at=now,
        created_by=principal.subject,
    )
    joined = TeamEvent(
        id=uuid.uuid4(),
        team_id=team.id,
        kind=TeamEventKind.JOINED,
        occurred_on=data.joined_on,
        recorded_at=now,
        recorded_by=principal.subject,
    )
    team = await repository.add(session, team, joined)
    await rollup.team_changed(session, space, None, rollup.TeamDates(team.joined_on))
    return space, team


async def graduate_team(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    team_id: uuid.UUID,
    data: TeamGraduation,
) -> tuple[Space, Team]:
    # The space's row lock: a move or an opened_on correction of the space waits for
    # this write (and it for them), so the rollup and the dates agree with both.
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    team = await _visible(session, space.id, team_id, for_update=True)
    _refuse_if_left(team)
    errors = _endfuture_date_errors("body.graduated_on", data.graduated_on, team)
    uscc, uscc_errors = _checked_uscc(
        "body.registered_enterprise_uscc", data.registered_enterprise_uscc
    )
    _raise_if_invalid([*errors, *uscc_errors])
    await _end(
        session,
        principal,
        space,
        team,
        TeamEventKind.GRADUATED,
        data.graduated_on,
        enterprise=(data.registered_enterprise_name, uscc),
    )
    return space, team


async def exit_team(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    team_id: uuid.UUID,
    data: TeamExit,
) -> tuple[Space, Team]:
    # The space's row lock: a move or an opened_on correction of the space waits for
    # this write (and it for them), so the rollup and the dates agree with both.
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    team = await _visible(session, space.id, team_id, for_update=True)
    _refuse_if_left(team)
    _raise_if_invalid(
        [
            *_endfuture_date_errors("body.exited_on", data.exited_on, team),
            *await supporting_documents.document_errors(session, space.id, data.document_id),
        ]
    )
    await _end(
        session,
        principal,
        space,
        team,
        TeamEventKind.EXITED,
        data.exited_on,
        enterprise=None,
        reason=data.reason,
        document_id=data.document_id,
    )
    return space, team


async def get_team(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, team_id: uuid.UUID
) -> TeamWithEvents:
    space = await spaces.get_space(session, principal, space_id)
    team = await _visible(session, space.id, team_id)
    return TeamWithEvents(team, await repository.events_of(session, team.id))


async def with_events(session: AsyncSession, team: Team) -> TeamWithEvents:
    """A team just written, with its history: what ``get_team`` answers for it."""
    return TeamWithEvents(team, await repository.events_of(session, team.id))


async def list_teams(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    filters: TeamFilters,
    page: PageParams,
) -> Sequence[Team]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.list_page(session, space.id, filters, page)


async def _end(
    session: AsyncSession,
    principal: Principal,
    space: Space,
    team: Team,
    kind: TeamEventKind,
    on: date,
    *,
    enterprise: tuple[str, str | None] | None,
    reason: str | None = None,
    document_id: uuid.UUID | None = None,
) -> None:
    name, uscc = enterprise if enterprise is not None else (None, None)
    team.status = TeamStatus.GRADUATED if kind is TeamEventKind.GRADUATED else TeamStatus.EXITED
    team.left_on = on
    team.registered_enterprise_name = name
    team.registered_enterprise_uscc = uscc
    await repository.record_end(
        session,
        TeamEvent(
            id=uuid.uuid4(),
            team_id=team.id,
            kind=kind,
            occurred_on=on,
            registered_enterprise_name=name,
            registered_enterprise_uscc=uscc,
            reason=reason,
            document_id=document_id,
            recorded_at=utcnow(),
            recorded_by=principal.subject,
        ),
    )
    await rollup.team_changed(
        session,
        space,
        rollup.TeamDates(team.joined_on),
        rollup.TeamDates(team.joined_on, on, kind is TeamEventKind.GRADUATED),
    )


async def _visible(
    session: AsyncSession, space_id: uuid.UUID, team_id: uuid.UUID, *, for_update: bool = False
) -> Team:
    team = await repository.get(session, space_id, team_id, for_update=for_update)
    if team is None:
        raise TeamNotFound(f"No team {team_id} in space {space_id}; check the id")
    return team


def _refuse_if_left(team: Team) -> None:
    if team.status is not TeamStatus.IN_INCUBATION:
        assert team.left_on is not None
        raise TeamAlreadyLeft(
            f"The team {team.status.value} on {team.left_on.isoformat()}; a team graduates or "
            "exits once, and that record is kept as it is",
            team_status=team.status.value,
            left_on=team.left_on.isoformat(),
        )


def _checked_uscc(field: str, raw: str | None) -> tuple[str | None, list[FieldError]]:
    """The normalised code, or what is wrong with it. There is no override for teams."""
    if raw is None:
        return None, []
    check = check_uscc(raw)
    if check.problem is None:
        return check.code, []
    return None, [
        FieldError(field=field, message=check.problem.message, type=f"uscc_{check.problem.rule}")
    ]


def _endfuture_date_errors(field: str, value: date, team: Team) -> list[FieldError]:
    errors = future_date_errors(field, value)
    if not errors and value < team.joined_on:
        errors.append(_field(field, f"is before the team joined ({team.joined_on.isoformat()})"))
    return errors


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_if_invalid(errors: list[FieldError]) -> None:
    if not errors:
        return
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise TeamInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
