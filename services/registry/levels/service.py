"""The rules for levels (级别); no HTTP here.

The bureau records provincial levels and national filings from their documents and, if one is
ever withdrawn, its end (once). The municipal level is made only by recognition and ended only
by revocation (``grant_municipal`` and ``end_municipal``, called by the status acts). A space
holds several levels at once, but never two open grants of the same level.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.events import outbox
from services.registry.levels import repository
from services.registry.levels.models import SpaceLevelEnd, SpaceLevelGrant
from services.registry.levels.schemas import LevelCreate, LevelWithdrawal
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.status.models import SpaceStatusChange
from shared.auth import Principal
from shared.contracts.events import SpaceLevelRecorded
from shared.contracts.spaces import SpaceLevel
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.timezone import future_date_errors


class LevelNotFound(NotFound):
    slug = "level-not-found"


class LevelInvalid(RequestInvalid):
    slug = "level-invalid"


class LevelAlreadyHeld(Conflict):
    slug = "level-already-held"


class LevelAlreadyEnded(Conflict):
    slug = "level-already-ended"


class MunicipalLevelByRecognitionOnly(Conflict):
    slug = "level-municipal-by-recognition"


@dataclass(frozen=True)
class LevelRecord:
    grant: SpaceLevelGrant
    end: SpaceLevelEnd | None


async def record_level(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: LevelCreate
) -> tuple[Space, LevelRecord]:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    if data.level is SpaceLevel.MUNICIPAL:
        _raise(
            "body.level",
            "municipal is made by recognition (POST /v1/spaces/{id}/recognition); record "
            "provincial or national_filing here",
        )
    errors = future_date_errors("body.effective_on", data.effective_on)
    if not errors and data.effective_on < space.opened_on:
        errors.append(
            _field("body.effective_on", f"is before the space opened ({space.opened_on})")
        )
    if errors:
        _raise_all(errors)
    held = await repository.open_grant(session, space.id, data.level)
    if held is not None:
        raise LevelAlreadyHeld(
            f"The space already holds {data.level.value} from {held.effective_on} by "
            f"{held.document_no} (id {held.id}); record its withdrawal first if it ended",
            existing_id=str(held.id),
        )
    last_end = await repository.latest_end(session, space.id, data.level)
    if last_end is not None and data.effective_on < last_end:
        _raise(
            "body.effective_on",
            f"is before the previous {data.level.value} level ended ({last_end}); a level is "
            "held once at a time",
        )
    grant = await repository.add_grant(
        session,
        SpaceLevelGrant(
            id=uuid.uuid4(),
            space_id=space.id,
            level=data.level,
            document_no=data.document_no,
            effective_on=data.effective_on,
            status_change_id=None,
            recorded_at=utcnow(),
            recorded_by=principal.subject,
        ),
    )
    await outbox.publish(
        session,
        SpaceLevelRecorded,
        space,
        occurred_on=grant.effective_on,
        document_no=grant.document_no,
        level=grant.level,
    )
    return space, LevelRecord(grant, None)


async def withdraw_level(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    grant_id: uuid.UUID,
    data: LevelWithdrawal,
) -> tuple[Space, LevelRecord]:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    found = await repository.get_grant(session, space.id, grant_id)
    if found is None:
        raise LevelNotFound(f"No level {grant_id} in space {space_id}; check the id")
    grant, end = found
    if grant.level is SpaceLevel.MUNICIPAL:
        raise MunicipalLevelByRecognitionOnly(
            "The municipal level ends only by revocation of the recognition "
            "(POST /v1/spaces/{id}/revocation)"
        )
    if end is not None:
        raise LevelAlreadyEnded(
            f"The level's end on {end.ended_on} by {end.document_no} is already recorded and "
            "is kept as it is",
            ended_on=end.ended_on.isoformat(),
        )
    errors = future_date_errors("body.ended_on", data.ended_on)
    if not errors and data.ended_on < grant.effective_on:
        errors.append(
            _field("body.ended_on", f"is before the level took effect ({grant.effective_on})")
        )
    if errors:
        _raise_all(errors)
    end = await repository.add_end(
        session,
        SpaceLevelEnd(
            grant_id=grant.id,
            ended_on=data.ended_on,
            document_no=data.document_no,
            reason=data.reason,
            status_change_id=None,
            recorded_at=utcnow(),
            recorded_by=principal.subject,
        ),
    )
    return space, LevelRecord(grant, end)


async def list_levels(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID
) -> Sequence[LevelRecord]:
    space = await spaces.get_space(session, principal, space_id)
    return [LevelRecord(grant, end) for grant, end in await repository.grants_of(session, space.id)]


async def grant_municipal(
    session: AsyncSession, principal: Principal, space: Space, recognition: SpaceStatusChange
) -> SpaceLevelGrant:
    """The municipal level recognition makes, from its date and by its document."""
    assert recognition.document_no is not None
    return await repository.add_grant(
        session,
        SpaceLevelGrant(
            id=uuid.uuid4(),
            space_id=space.id,
            level=SpaceLevel.MUNICIPAL,
            document_no=recognition.document_no,
            effective_on=recognition.effective_on,
            status_change_id=recognition.id,
            recorded_at=recognition.recorded_at,
            recorded_by=principal.subject,
        ),
    )


async def end_municipal(
    session: AsyncSession, principal: Principal, space: Space, revocation: SpaceStatusChange
) -> SpaceLevelEnd | None:
    """End the municipal level on the revocation's date; None if none was held."""
    grant = await repository.open_grant(session, space.id, SpaceLevel.MUNICIPAL)
    if grant is None:
        return None
    assert revocation.document_no is not None
    return await repository.add_end(
        session,
        SpaceLevelEnd(
            grant_id=grant.id,
            ended_on=revocation.effective_on,
            document_no=revocation.document_no,
            reason=f"取消认定 (revocation: {revocation.revocation_reason})",
            status_change_id=revocation.id,
            recorded_at=revocation.recorded_at,
            recorded_by=principal.subject,
        ),
    )


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise(field: str, message: str) -> NoReturn:
    _raise_all([_field(field, message)])


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise LevelInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
