"""The rules for spaces: registering, reading, correcting (a new version, the old one kept)
and the bureau's move to another jurisdiction (属地变更); no HTTP here.

Every refusal is raised before anything is written, so a refused request changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.events import outbox
from services.registry.operators import service as operators
from services.registry.operators.service import PreconditionRequired
from services.registry.spaces import repository
from services.registry.spaces.models import (
    Space,
    SpaceChangeKind,
    SpaceJurisdictionChange,
    SpaceVersion,
)
from services.registry.spaces.schemas import (
    JurisdictionChangeCreate,
    SpaceCreate,
    SpaceFilters,
    SpaceOut,
    SpaceUpdate,
)
from services.registry.status.models import SpaceStatusChange, StatusAct
from services.registry.teams import rollup
from shared.auth import Principal
from shared.contracts.events import SpaceMoved
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile, SpaceStatus
from shared.db import utcnow
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RequestInvalid,
)
from shared.pagination import PageParams, page_of
from shared.timezone import future_date_errors, today_in_china


class SpaceNotFound(NotFound):
    slug = "space-not-found"


class DuplicateSpace(Conflict):
    slug = "space-duplicate"


class SpaceInvalid(RequestInvalid):
    slug = "space-invalid"


class StaleSpace(PreconditionFailed):
    slug = "space-version-stale"


class OpenedAfterRecords(Conflict):
    slug = "space-opened-after-records"
    title = "A record of the space is dated before that day"


class OperatorInOtherJurisdiction(Conflict):
    slug = "space-operator-in-other-jurisdiction"
    title = "The space's operator is not in the new jurisdiction"


# Fields a correction may change, in the order the API lists them.
_EDITABLE = ("name", "address", "form", "profile", "opened_on", "operator_id")


@dataclass(frozen=True)
class SpaceChange:
    space: Space
    changed: tuple[str, ...]


def etag_for(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True, slots=True)
class SpaceRecord:
    """A space's current row as the reads return it (plain values, not a tracked entity)."""

    id: uuid.UUID
    name: str
    jurisdiction_code: str
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date
    operator_id: uuid.UUID | None
    address: str | None
    version: int
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class SpaceWithStatus:
    """A space and its current status (what the space read and list show)."""

    space: Space | SpaceRecord
    status: SpaceStatus
    status_since: date


def _view(row: Mapping[str, Any]) -> SpaceWithStatus:
    """A row of ``repository.get_with_status`` or ``list_page`` as the reads use it."""
    return SpaceWithStatus(
        SpaceRecord(
            row["id"], row["name"], row["jurisdiction_code"], SpaceForm(row["form"]),
            SpaceProfile(row["profile"]), row["opened_on"], row["operator_id"], row["address"],
            row["version"], row["created_at"], row["created_by"],
        ),
        SpaceStatus(row["status"]),
        row["status_since"],
    )  # fmt: skip


async def create_space(
    session: AsyncSession, principal: Principal, data: SpaceCreate
) -> SpaceWithStatus:
    if not principal.sees_jurisdiction(data.jurisdiction_code):
        raise Forbidden(
            f"You manage jurisdiction {principal.jurisdiction_scope}; a space in "
            f"{data.jurisdiction_code.value} is registered by that jurisdiction or the bureau"
        )
    if data.opened_on > today_in_china():
        raise RequestInvalid(
            "opened_on is in the future; give the date the space began operating",
            [
                FieldError(
                    field="body.opened_on", message="must not be in the future", type="value_error"
                )
            ],
        )
    if data.operator_id is not None:
        await _check_operator(session, principal, data.operator_id, data.jurisdiction_code.value)
    await _refuse_duplicate_name(session, data.jurisdiction_code.value, data.name)
    now = utcnow()
    space = Space(
        id=uuid.uuid4(),
        name=data.name,
        jurisdiction_code=data.jurisdiction_code.value,
        form=data.form,
        profile=data.profile,
        opened_on=data.opened_on,
        operator_id=data.operator_id,
        address=data.address,
        version=1,
        created_at=now,
        created_by=principal.subject,
    )
    # Every space starts as an applicant from the day it opened (see status.service).
    registered = SpaceStatusChange(
        id=uuid.uuid4(),
        space_id=space.id,
        seq=1,
        act=StatusAct.REGISTERED,
        status=SpaceStatus.APPLICANT,
        effective_on=space.opened_on,
        recorded_at=now,
        recorded_by=principal.subject,
    )
    first = _snapshot(space, SpaceChangeKind.REGISTERED, (), now, principal.subject)
    space = await repository.add(session, space, registered, first)
    return SpaceWithStatus(space, SpaceStatus.APPLICANT, space.opened_on)


async def _refuse_duplicate_name(
    session: AsyncSession,
    jurisdiction_code: str,
    name: str,
    *,
    other_than: uuid.UUID | None = None,
    field: str = "body.name",
) -> None:
    existing = await repository.find_by_name(session, jurisdiction_code, name)
    if existing is not None and existing.id != other_than:
        raise DuplicateSpace(
            f"A space named {name!r} is already registered in {jurisdiction_code} "
            f"(id {existing.id}); names are unique within a jurisdiction",
            existing_id=str(existing.id),
            field=field,
        )


async def _check_operator(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, jurisdiction_code: str
) -> None:
    operator = await operators.find_visible(session, principal, operator_id)
    if operator is None:
        # Worded the same whether it does not exist or is another jurisdiction's.
        raise RequestInvalid(
            f"operator_id: no operator {operator_id} within your jurisdiction",
            [
                FieldError(
                    field="body.operator_id",
                    message="no such operator within your jurisdiction; register it first",
                    type="value_error",
                )
            ],
        )
    if operator.jurisdiction_code != jurisdiction_code:
        message = (
            f"the operator is managed by {operator.jurisdiction_code}; a space's operator "
            f"must be in the space's jurisdiction ({jurisdiction_code})"
        )
        raise RequestInvalid(
            f"operator_id: {message}",
            [FieldError(field="body.operator_id", message=message, type="value_error")],
        )


async def get_space(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, *, for_update: bool = False
) -> Space:
    space = await repository.get(
        session, space_id, principal.jurisdiction_scope, for_update=for_update
    )
    if space is None:
        raise _not_found(space_id)
    return space


async def get_space_with_status(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID
) -> SpaceWithStatus:
    found = await repository.get_with_status(session, space_id, principal.jurisdiction_scope)
    if found is None:
        raise _not_found(space_id)
    return _view(found)


def _not_found(space_id: uuid.UUID) -> SpaceNotFound:
    # The same answer whether it does not exist or belongs to another jurisdiction.
    return SpaceNotFound(f"No space {space_id} within your jurisdiction; check the id")


async def list_spaces(
    session: AsyncSession, principal: Principal, filters: SpaceFilters, page: PageParams
) -> Sequence[SpaceWithStatus]:
    rows = await repository.list_page(session, principal.jurisdiction_scope, filters, page)
    return [_view(row) for row in rows]


def list_cursor(created_at: datetime, space_id: uuid.UUID) -> list[str]:
    """The list's sort key of a space, as its cursor carries it."""
    return [created_at.isoformat(), str(space_id)]


async def read_space(session: AsyncSession, principal: Principal, space_id: uuid.UUID) -> SpaceOut:
    """``GET /v1/spaces/{id}``: validated from its row in one step (the hottest read)."""
    row = await repository.get_with_status(session, space_id, principal.jurisdiction_scope)
    if row is None:
        raise _not_found(space_id)
    return SpaceOut.model_validate(dict(row))


async def list_page(
    session: AsyncSession, principal: Principal, filters: SpaceFilters, page: PageParams
) -> tuple[list[SpaceOut], str | None]:
    """``GET /v1/spaces``: one page, each item validated from its row, and the next cursor."""
    rows = await repository.list_page(session, principal.jurisdiction_scope, filters, page)
    items, cursor = page_of(rows, page, lambda row: list_cursor(row["created_at"], row["id"]))
    return _SPACE_LIST.validate_python([dict(row) for row in items]), cursor


# A page's rows validated in one call (a third cheaper than one ``model_validate`` per row).
_SPACE_LIST = TypeAdapter(list[SpaceOut])


async def update_space(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: SpaceUpdate,
    if_match: str | None,
) -> SpaceChange:
    """Apply a correction made against the version ``if_match`` names (the ETag it read)."""
    # The row lock queues two corrections (and a move) of one space; the second then sees the
    # first's version and is refused, instead of both passing the check. Looked up first: a
    # space out of the caller's view is 404 with or without If-Match, as a missing one is.
    space = await get_space(session, principal, space_id, for_update=True)
    expected = _versions_in(if_match, required=True)
    assert expected is not None, "required: 428 otherwise"
    _refuse_stale(space, expected, if_match)
    sent = data.model_fields_set
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in _EDITABLE
        if name in sent and getattr(data, name) != getattr(space, name)
    }
    if "opened_on" in changes:
        _raise_if_invalid(future_date_errors("body.opened_on", changes["opened_on"]))
    if "operator_id" in changes:
        await _check_operator(session, principal, changes["operator_id"], space.jurisdiction_code)
    if "name" in changes:
        await _refuse_duplicate_name(
            session, space.jurisdiction_code, changes["name"], other_than=space.id
        )
    if "opened_on" in changes:
        await _refuse_opening_after_records(session, space, changes["opened_on"])
    if not changes:
        return SpaceChange(space, ())  # nothing differs: no new version to record
    await _keep_current_state(session, space)
    for name, value in changes.items():
        setattr(space, name, value)
    await _new_version(session, principal, space, SpaceChangeKind.CORRECTION, tuple(changes))
    return SpaceChange(space, tuple(changes))


async def change_jurisdiction(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: JurisdictionChangeCreate,
    if_match: str | None,
) -> tuple[Space, SpaceJurisdictionChange]:
    """The bureau's move of a space to another jurisdiction from ``effective_on``.

    If-Match is optional here (the act is the bureau's alone), but checked when sent.
    """
    space = await get_space(session, principal, space_id, for_update=True)
    expected = _versions_in(if_match, required=False)
    if expected is not None:
        _refuse_stale(space, expected, if_match)
    new_code = data.jurisdiction_code.value
    last = await repository.latest_jurisdiction_change(session, space.id)
    errors = future_date_errors("body.effective_on", data.effective_on)
    if not errors and data.effective_on < space.opened_on:
        errors.append(
            _field("body.effective_on", f"is before the space opened ({space.opened_on})")
        )
    if not errors and last is not None and data.effective_on < last.effective_on:
        errors.append(
            _field(
                "body.effective_on",
                f"is before the space's last move ({last.from_code} -> {last.to_code} on "
                f"{last.effective_on}); moves are recorded in date order",
            )
        )
    if new_code == space.jurisdiction_code:
        errors.append(
            _field("body.jurisdiction_code", f"the space is already managed by {new_code}")
        )
    _raise_if_invalid(errors)

    operator_id = space.operator_id
    if data.operator_id is not None:
        await _check_operator(session, principal, data.operator_id, new_code)
        operator_id = data.operator_id
    elif space.operator_id is not None:
        operator = await operators.find_visible(session, principal, space.operator_id)
        assert operator is not None, "the bureau sees every operator"
        if operator.jurisdiction_code != new_code:
            raise OperatorInOtherJurisdiction(
                f"The space's operator {operator.name!r} (id {operator.id}) is managed by "
                f"{operator.jurisdiction_code}, and a space's operator must be in the space's "
                f"jurisdiction ({new_code}): name an operator of {new_code} in operator_id, or "
                f"move the operator first",
                field="body.operator_id",
                operator_id=str(operator.id),
                operator_jurisdiction_code=operator.jurisdiction_code,
            )
    await _refuse_duplicate_name(session, new_code, space.name, field="body.jurisdiction_code")

    before = await rollup.segments_of(session, space)
    await _keep_current_state(session, space)
    change = SpaceJurisdictionChange(
        id=uuid.uuid4(),
        space_id=space.id,
        seq=1 if last is None else last.seq + 1,
        from_code=space.jurisdiction_code,
        to_code=new_code,
        effective_on=data.effective_on,
        document_no=data.document_no,
        reason=data.reason,
        operator_id_before=space.operator_id,
        operator_id_after=operator_id,
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    await repository.add_jurisdiction_change(session, change)
    changed = ["jurisdiction_code"]
    if operator_id != space.operator_id:
        changed.append("operator_id")
    space.jurisdiction_code = new_code
    space.operator_id = operator_id
    await _new_version(
        session, principal, space, SpaceChangeKind.JURISDICTION_CHANGE, tuple(changed)
    )
    await rollup.space_moved(session, space.id, before, await rollup.segments_of(session, space))
    await outbox.publish(
        session,
        SpaceMoved,
        space,
        occurred_on=change.effective_on,
        document_no=change.document_no,
        from_code=JurisdictionCode(change.from_code),
        to_code=JurisdictionCode(change.to_code),
        move_no=change.seq,
    )
    return space, change


async def list_versions(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceVersion]:
    space = await get_space(session, principal, space_id)
    return await repository.versions_page(session, space.id, page)


async def list_jurisdiction_changes(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceJurisdictionChange]:
    space = await get_space(session, principal, space_id)
    return await repository.jurisdiction_changes_page(session, space.id, page)


async def _new_version(
    session: AsyncSession,
    principal: Principal,
    space: Space,
    kind: SpaceChangeKind,
    changed: tuple[str, ...],
) -> None:
    space.version += 1
    await repository.save_version(
        session, _snapshot(space, kind, changed, utcnow(), principal.subject)
    )


async def _keep_current_state(session: AsyncSession, space: Space) -> None:
    """Record the space's state as its first version if it has none (called before a change).

    Spaces written outside the API (the scale seed) have no version row; the state a change
    replaces is kept all the same.
    """
    if not await repository.has_version(session, space.id, space.version):
        session.add(
            _snapshot(space, SpaceChangeKind.REGISTERED, (), space.created_at, space.created_by)
        )
        await session.flush()


def _snapshot(
    space: Space,
    kind: SpaceChangeKind,
    changed: tuple[str, ...],
    at: datetime,
    by: str,
) -> SpaceVersion:
    return SpaceVersion(
        space_id=space.id,
        version=space.version,
        kind=kind,
        changed=",".join(changed),
        valid_from=at,
        recorded_by=by,
        name=space.name,
        address=space.address,
        jurisdiction_code=space.jurisdiction_code,
        form=space.form,
        profile=space.profile,
        opened_on=space.opened_on,
        operator_id=space.operator_id,
    )


async def _refuse_opening_after_records(
    session: AsyncSession, space: Space, opened_on: date
) -> None:
    found = await repository.first_record_before(session, space.id, opened_on)
    if found is None:
        return
    what, record_id, on = found
    raise OpenedAfterRecords(
        f"opened_on {opened_on} is after a record of the space: {what} on {on} (id "
        f"{record_id}); a space's records are dated on or after the day it opened, so give "
        f"a date no later than {on} or correct that record first",
        field="body.opened_on",
        record=what,
        record_id=str(record_id),
        record_date=on.isoformat(),
    )


def _versions_in(if_match: str | None, *, required: bool) -> set[int] | None:
    """The versions an If-Match header names; 428 when required and it names none usable."""
    if if_match is None or not if_match.strip():
        if not required:
            return None
        raise PreconditionRequired(
            "A correction must send If-Match with the ETag of the version it changes "
            '(from GET /v1/spaces/{id}, e.g. If-Match: "3"), so it never overwrites '
            "someone else's change unseen",
            field="header.If-Match",
        )
    if if_match.strip() == "*":
        raise PreconditionRequired(
            "If-Match: * does not say which version you read; send the space's ETag",
            field="header.If-Match",
        )
    versions = set()
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/")
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdecimal():
            versions.add(int(tag[1:-1]))
    return versions


def _refuse_stale(space: Space, expected: set[int], if_match: str | None) -> None:
    if space.version not in expected:
        raise StaleSpace(
            f"The space is at version {space.version}, not the version your If-Match names "
            f"({if_match}); read it again, reapply your change and send its new ETag",
            headers={"ETag": etag_for(space.version)},
            field="header.If-Match",
            current_version=space.version,
        )


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_if_invalid(errors: list[FieldError]) -> None:
    if errors:
        _raise_all(errors)


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise SpaceInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
