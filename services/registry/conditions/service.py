"""The rules for recording a space's conditions as dated versions; no HTTP here.

A write names the version it read in If-Match (the first write of a condition sends none), so
two officers never overwrite each other unseen: a stale one gets 412 with the current ETag.
Districts write their own jurisdiction's spaces, the bureau any. Every refusal comes before
anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.conditions import repository
from services.registry.conditions.models import VersionColumns
from services.registry.conditions.sections import Section
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    ProblemError,
    RequestInvalid,
)
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china


class ConditionNotRecorded(NotFound):
    slug = "condition-not-recorded"


class ConditionInvalid(RequestInvalid):
    slug = "condition-invalid"


class ConditionNotApplicable(Conflict):
    slug = "condition-not-applicable"


class ConditionPreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match required"


class StaleCondition(PreconditionFailed):
    slug = "condition-version-stale"


@dataclass(frozen=True)
class Recorded:
    space: Space
    row: VersionColumns


def etag_for(version: int) -> str:
    return f'"{version}"'


async def record_version(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    section: Section,
    data: BaseModel,
    if_match: str | None,
) -> Recorded:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    if section.forms is not None and space.form not in section.forms:
        allowed = " or ".join(sorted(form.value for form in section.forms))
        raise ConditionNotApplicable(
            f"The space is {space.form.value}; {section.noun} is recorded for {allowed} spaces only"
        )
    latest = await repository.latest(session, section.model, space.id)
    _check_precondition(section, latest, if_match)
    content: dict[str, Any] = section.content(data)
    effective_on: date = data.effective_on  # type: ignore[attr-defined]
    errors = [*future_date_errors("body.effective_on", effective_on), *section.errors(data)]
    if errors:
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        noun = "field is" if len(errors) == 1 else "fields are"
        raise ConditionInvalid(
            f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors
        )
    build: Any = section.model  # every section table takes the version columns
    row = build(
        id=uuid.uuid4(),
        space_id=space.id,
        version=1 if latest is None else latest.version + 1,
        effective_on=effective_on,
        remarks=data.remarks,  # type: ignore[attr-defined]
        recorded_at=utcnow(),
        recorded_by=principal.subject,
        **content,
    )
    return Recorded(space, await repository.add(session, row))


@dataclass(frozen=True)
class VersionRead:
    row: VersionColumns  # the version in force at the end of ``as_of``
    latest: int  # the latest version's number: the ETag a write must name
    as_of: date  # the day read (today, China time, when none was given)


async def read_version(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    section: Section,
    as_of: date | None,
) -> VersionRead:
    """The version in force at the end of ``as_of``, today (China time) if None, as on every
    registry read that takes a date. Not simply the latest recorded: a correction of what
    held from an earlier date, recorded last, is not what is in force today."""
    space = await spaces.get_space(session, principal, space_id)
    today = today_in_china()
    on = today if as_of is None else as_of
    if on > today:
        message = "is in the future (China time); versions are known only up to today"
        raise ConditionInvalid(
            f"as_of: {message}",
            [FieldError(field="query.as_of", message=message, type="value_error")],
        )
    latest = await repository.latest(session, section.model, space.id)
    found = await repository.in_force(session, section.model, space.id, on)
    if found is None or latest is None:
        when = "" if latest is None else f" in force on {on}"
        raise ConditionNotRecorded(
            f"No {section.noun}{when} is recorded for space {space_id}; record it with "
            f"PUT /v1/spaces/{space_id}/{section.segment}"
        )
    return VersionRead(found, latest.version, on)


async def list_versions(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    section: Section,
    page: PageParams,
) -> Sequence[VersionColumns]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.versions_page(session, section.model, space.id, page)


def _check_precondition(
    section: Section, latest: VersionColumns | None, if_match: str | None
) -> None:
    sent = if_match.strip() if if_match is not None else ""
    if latest is None:
        if sent:
            raise StaleCondition(
                f"No {section.noun} is recorded yet, but If-Match names a version; read it "
                "again, or send no If-Match to record the first version"
            )
        return
    if not sent or sent == "*":
        raise ConditionPreconditionRequired(
            f"{section.noun} has versions already: send If-Match with the ETag of the one you "
            f'read (GET /v1/spaces/{{id}}/{section.segment}, e.g. If-Match: "{latest.version}"), '
            "so a change is never lost unseen",
            headers={"ETag": etag_for(latest.version)},
        )
    named = {
        int(tag[1:-1])
        for tag in (part.strip().removeprefix("W/") for part in sent.split(","))
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdecimal()
    }
    if latest.version not in named:
        raise StaleCondition(
            f"The {section.noun} is at version {latest.version}, not the one your If-Match "
            f"names ({if_match}); read it again, reapply your change and send its new ETag",
            headers={"ETag": etag_for(latest.version)},
            current_version=latest.version,
        )
