"""The bureau's status acts and a space's standing on a date; no HTTP here.

The acts and the statuses they move between (anything else is refused with 409, naming the
current status and the acts it allows):

    recognition        applicant                              -> recognised
    rectification      recognised                             -> under_rectification
    rectification_end  under_rectification                    -> recognised
    revocation         recognised | under_rectification       -> revoked (final)

Every space starts ``applicant`` from its ``opened_on`` (the record is written when it is
registered): that is when the space began to exist as a space. Before that day it did not
exist as one, so it was not recognised then: its standing on such a date says so (``opened``
false, ``applicant``, no level) rather than refusing the date. An act takes effect on a date
that is not in the future and not before the status it replaces began. Recognition also
makes the municipal level (市级) by the same document; revocation ends it on its date.
Every act but registration writes its event to the outbox in the same transaction.

A revocation for ``failed_assessments`` (连续两年考核不合格) needs the records to show two
consecutive years whose results in force are 不合格; it names both (``status_act_grounds``).
The annual assessment results record these consequences themselves (see assessments.service).

Recognition is the last step of the recognition procedure (``services/registry/applications``),
which performs ``recognise``; the direct act (``recognise_historical``) only records a
recognition made before the procedure came into force (the registry's
``procedure_in_force_from``), with its historical document and date.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.assessments.models import SpaceAssessment
from services.registry.events import outbox
from services.registry.levels import repository as levels_repository
from services.registry.levels import service as levels
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.status import repository
from services.registry.status.models import SpaceStatusChange, StatusAct, StatusActGround
from services.registry.status.schemas import (
    RecognitionCreate,
    RectificationCreate,
    RectificationEndCreate,
    RevocationCreate,
)
from shared.auth import Principal
from shared.contracts.events import (
    RevocationReason,
    SpaceRecognised,
    SpaceRectificationEnded,
    SpaceRectificationOrdered,
    SpaceRevoked,
)
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceStanding, SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, FieldError, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china

TRANSITIONS: dict[StatusAct, tuple[frozenset[SpaceStatus], SpaceStatus]] = {
    StatusAct.RECOGNITION: (frozenset({SpaceStatus.APPLICANT}), SpaceStatus.RECOGNISED),
    StatusAct.RECTIFICATION: (
        frozenset({SpaceStatus.RECOGNISED}),
        SpaceStatus.UNDER_RECTIFICATION,
    ),
    StatusAct.RECTIFICATION_END: (
        frozenset({SpaceStatus.UNDER_RECTIFICATION}),
        SpaceStatus.RECOGNISED,
    ),
    StatusAct.REVOCATION: (
        frozenset({SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION}),
        SpaceStatus.REVOKED,
    ),
}
ENDPOINTS = {
    StatusAct.RECOGNITION: "recognition",
    StatusAct.RECTIFICATION: "rectification",
    StatusAct.RECTIFICATION_END: "rectification-end",
    StatusAct.REVOCATION: "revocation",
}

ActData = RecognitionCreate | RectificationCreate | RectificationEndCreate | RevocationCreate


class StatusActRefused(Conflict):
    slug = "status-act-refused"
    title = "Not allowed from the space's current status"


class RevocationGroundsMissing(Conflict):
    slug = "revocation-grounds-missing"
    title = "The records do not show two consecutive failed annual assessments"


class StatusActInvalid(RequestInvalid):
    slug = "status-act-invalid"


class StandingDateInvalid(RequestInvalid):
    slug = "standing-date-invalid"


def allowed_acts(status: SpaceStatus) -> list[StatusAct]:
    return [act for act, (sources, _) in TRANSITIONS.items() if status in sources]


async def recognise(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: RecognitionCreate
) -> tuple[Space, SpaceStatusChange]:
    space, change = await _act(session, principal, space_id, StatusAct.RECOGNITION, data)
    await levels.grant_municipal(session, principal, space, change)
    await outbox.publish(
        session,
        SpaceRecognised,
        space,
        occurred_on=change.effective_on,
        document_no=data.document_no,
    )
    return space, change


async def recognise_historical(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: RecognitionCreate,
    procedure_in_force_from: date,
) -> tuple[Space, SpaceStatusChange]:
    """Record a recognition made before the procedure came into force; a later one is refused
    (422 on ``effective_on``): it is made through the procedure only."""
    # A date in the future is refused as for every act, by the act itself.
    if procedure_in_force_from <= data.effective_on <= today_in_china():
        await spaces.get_space(session, principal, space_id)  # an unknown space is a 404 first
        _raise_all(
            [
                _field(
                    "body.effective_on",
                    f"is on or after {procedure_in_force_from}, when the recognition "
                    "procedure came into force: a recognition from then on is made through "
                    "it (POST /v1/applications); this act records earlier ones only",
                )
            ]
        )
    return await recognise(session, principal, space_id, data)


async def order_rectification(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: RectificationCreate,
    *,
    failed: SpaceAssessment | None = None,
) -> tuple[Space, SpaceStatusChange]:
    """限期整改; ``failed`` is the 不合格 result it follows from, when it does."""
    space, change = await _act(session, principal, space_id, StatusAct.RECTIFICATION, data)
    if failed is not None:
        await _record_grounds(session, space, change, failed, None)
    await outbox.publish(
        session,
        SpaceRectificationOrdered,
        space,
        occurred_on=change.effective_on,
        document_no=data.document_no,
        deadline=data.deadline,
        assessment_year=None if failed is None else failed.year,
    )
    return space, change


async def end_rectification(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: RectificationEndCreate,
) -> tuple[Space, SpaceStatusChange]:
    space, change = await _act(session, principal, space_id, StatusAct.RECTIFICATION_END, data)
    await outbox.publish(
        session,
        SpaceRectificationEnded,
        space,
        occurred_on=change.effective_on,
        document_no=data.document_no,
    )
    return space, change


async def revoke(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: RevocationCreate,
    *,
    failed: tuple[SpaceAssessment, SpaceAssessment] | None = None,
) -> tuple[Space, SpaceStatusChange]:
    """取消认定; for ``failed_assessments``, ``failed`` is two consecutive 不合格 results (the
    other year's, then the one the revocation follows from), found in the records (the later
    of the latest two) when not given."""
    if data.reason is RevocationReason.FAILED_ASSESSMENTS and failed is None:
        # Locked first, so no correction slips in between the check and the act.
        space = await spaces.get_space(session, principal, space_id, for_update=True)
        failed = await _consecutive_failures(session, space)
    space, change = await _act(session, principal, space_id, StatusAct.REVOCATION, data)
    if data.reason is RevocationReason.FAILED_ASSESSMENTS:
        assert failed is not None
        await _record_grounds(session, space, change, failed[1], failed[0])
    await levels.end_municipal(session, principal, space, change)
    await outbox.publish(
        session,
        SpaceRevoked,
        space,
        occurred_on=change.effective_on,
        document_no=data.document_no,
        reason=data.reason,
        legal_basis=data.legal_basis,
    )
    return space, change


async def _consecutive_failures(
    session: AsyncSession, space: Space
) -> tuple[SpaceAssessment, SpaceAssessment]:
    """The latest two consecutive years whose results in force are 不合格, or a refusal."""
    failed = await repository.failed_years(session, space.id)
    pairs = [(failed[year - 1], failed[year]) for year in sorted(failed) if year - 1 in failed]
    if not pairs:
        shown = ", ".join(str(year) for year in sorted(failed)) or "none"
        raise RevocationGroundsMissing(
            "A revocation for failed_assessments (连续两年考核不合格) needs two consecutive "
            f"years whose results in force are 不合格; the space's failed years are: {shown}. "
            f"Record or correct the results (POST /v1/spaces/{space.id}/assessments), or "
            "revoke for another reason",
            failed_years=sorted(failed),
        )
    return pairs[-1]


async def _record_grounds(
    session: AsyncSession,
    space: Space,
    change: SpaceStatusChange,
    failed: SpaceAssessment,
    prior: SpaceAssessment | None,
) -> None:
    await repository.add_ground(
        session,
        StatusActGround(
            status_change_id=change.id,
            space_id=space.id,
            assessment_id=failed.id,
            prior_assessment_id=None if prior is None else prior.id,
            act=change.act,
            recorded_at=utcnow(),
        ),
    )


async def _act(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    act: StatusAct,
    data: ActData,
) -> tuple[Space, SpaceStatusChange]:
    # The space's row lock queues two acts on one space; the second sees the first's result.
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    current = await repository.latest(session, space.id)
    assert current is not None, "every space has its registration record"
    sources, target = TRANSITIONS[act]
    if current.status not in sources:
        allowed = allowed_acts(current.status)
        offered = (
            ", ".join(f"{a.value} (POST /v1/spaces/{{id}}/{ENDPOINTS[a]})" for a in allowed)
            if allowed
            else "none: revocation is final"
        )
        raise StatusActRefused(
            f"The space is {current.status.value} since {_began(space, current)}; {act.value} "
            f"needs it to be {' or '.join(sorted(s.value for s in sources))}. Acts allowed "
            f"now: {offered}",
            current_status=current.status.value,
            status_since=_began(space, current).isoformat(),
            allowed_acts=[a.value for a in allowed],
        )
    errors = future_date_errors("body.effective_on", data.effective_on)
    began = _began(space, current)
    if not errors and data.effective_on < began:
        errors.append(
            _field(
                "body.effective_on",
                f"is before the status in force ({current.status.value}) began "
                f"({began}); an act takes effect on or after that day",
            )
        )
    deadline = data.deadline if isinstance(data, RectificationCreate) else None
    if deadline is not None and deadline < data.effective_on:
        errors.append(_field("body.deadline", "is before effective_on"))
    if errors:
        _raise_all(errors)
    revocation = data if isinstance(data, RevocationCreate) else None
    change = await repository.add(
        session,
        SpaceStatusChange(
            id=uuid.uuid4(),
            space_id=space.id,
            seq=current.seq + 1,
            act=act,
            status=target,
            effective_on=data.effective_on,
            document_no=data.document_no,
            rectification_deadline=deadline,
            revocation_reason=revocation.reason if revocation else None,
            legal_basis=revocation.legal_basis if revocation else None,
            remarks=data.remarks,
            recorded_at=utcnow(),
            recorded_by=principal.subject,
        ),
    )
    return space, change


async def history(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceStatusChange]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.history_page(session, space.id, page)


async def rectifications(
    session: AsyncSession, principal: Principal, overdue: bool, page: PageParams
) -> tuple[
    date,
    Sequence[tuple[SpaceStatusChange, Space]],
    dict[uuid.UUID, tuple[StatusActGround, SpaceAssessment, SpaceAssessment | None]],
]:
    """Spaces under rectification within the caller's scope, earliest deadline first; with
    ``overdue``, those whose deadline (the last day to rectify) is before today in China.
    Returns today, the page and the grounds of those that follow from a failed result."""
    today = today_in_china()
    rows = await repository.rectifications_page(
        session, principal.jurisdiction_scope, today if overdue else None, page
    )
    grounds = await repository.grounds_of(session, [change.id for change, _ in rows])
    return today, rows, grounds


async def current_status(session: AsyncSession, space: Space) -> tuple[SpaceStatusChange, date]:
    """The space's current status record and the day it began."""
    current = await repository.latest(session, space.id)
    assert current is not None, "every space has its registration record"
    return current, _began(space, current)


async def failed_years(session: AsyncSession, space_id: uuid.UUID) -> dict[int, SpaceAssessment]:
    """The years whose annual result in force is 不合格."""
    return await repository.failed_years(session, space_id)


async def consequences_of(
    session: AsyncSession, assessment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[SpaceStatusChange, StatusActGround, SpaceAssessment | None]]:
    """The rectification or revocation each result gave rise to, by the result's id."""
    return await repository.consequences_of(session, assessment_ids)


async def status_in_force(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> SpaceStatusChange | None:
    """The status record in force at the end of ``on`` (None before the space opened)."""
    return await repository.in_force(session, space_id, on)


async def standing(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, as_of: date | None
) -> SpaceStanding:
    """Status and levels in force at the end of ``as_of`` (today, China time, by default).

    Before the space opened it held no status and no level: it stands ``applicant`` (not
    recognised) from its ``opened_on``, with ``opened`` false.
    """
    space = await spaces.get_space(session, principal, space_id)
    on = as_of if as_of is not None else today_in_china()
    if on > today_in_china():
        message = "is in the future (China time); standing is known only up to today"
        raise StandingDateInvalid(
            f"as_of: {message}",
            [FieldError(field="query.as_of", message=message, type="value_error")],
        )
    if on < space.opened_on:
        status, since, held = SpaceStatus.APPLICANT, space.opened_on, []
    else:
        record = await repository.in_force(session, space.id, on)
        assert record is not None, "the registration record is in force from opened_on"
        status, since = record.status, _began(space, record)
        held = await levels_repository.held_on(session, space.id, on)
    return SpaceStanding(
        space_id=space.id,
        name=space.name,
        jurisdiction_code=JurisdictionCode(space.jurisdiction_code),
        form=space.form,
        profile=space.profile,
        operator_id=space.operator_id,
        as_of=on,
        opened=on >= space.opened_on,
        status=status,
        status_since=since,
        levels=held,
    )


def _began(space: Space, record: SpaceStatusChange) -> date:
    """When ``record`` took effect: the registration record from the space's opened_on, which
    a correction may have moved since the record was written."""
    return space.opened_on if record.seq == 1 else record.effective_on


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise StatusActInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
