"""The rules for annual assessment results (年度考核); no HTTP here.

The bureau records one result per space and year, for a space that is recognised (or under
rectification) on the result's date. A correction is the year's next revision with its
reason; the latest revision is in force, and every one is kept. Each result and correction
emits ``space.assessed`` (a correction's event carries the corrected grade: a receiver keeps
the latest event for a space and year).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.assessments import repository
from services.registry.assessments.models import SpaceAssessment
from services.registry.assessments.schemas import AssessmentCorrection, AssessmentCreate
from services.registry.events import outbox
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.status import service as status
from shared.auth import Principal
from shared.contracts.events import SpaceAssessed
from shared.contracts.spaces import SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors

ASSESSABLE = frozenset({SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION})


class AssessmentNotFound(NotFound):
    slug = "assessment-not-found"


class AssessmentInvalid(RequestInvalid):
    slug = "assessment-invalid"


class AssessmentExists(Conflict):
    slug = "assessment-exists"


class SpaceNotAssessable(Conflict):
    slug = "assessment-space-not-recognised"


async def record_assessment(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: AssessmentCreate
) -> tuple[Space, SpaceAssessment]:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    existing = await repository.latest_for_year(session, space.id, data.year)
    if existing is not None:
        raise AssessmentExists(
            f"The {data.year} result is already recorded ({existing.grade.value}, "
            f"{existing.document_no}, revision {existing.revision}); to change it, "
            f"POST /v1/spaces/{space.id}/assessments/{data.year}/corrections with a reason",
            existing_id=str(existing.id),
        )
    errors = future_date_errors("body.assessed_on", data.assessed_on)
    if not errors and data.assessed_on.year < data.year:
        errors.append(
            _field("body.assessed_on", f"is before the year assessed ({data.year}) began")
        )
    if errors:
        _raise_all(errors)
    record = await status.status_in_force(session, space.id, data.assessed_on)
    if record is None or record.status not in ASSESSABLE:
        was = "not yet open" if record is None else record.status.value
        raise SpaceNotAssessable(
            f"The space was {was} on {data.assessed_on}; only a recognised space (or one under "
            "rectification) is assessed",
            status_on_assessed_on=None if record is None else record.status.value,
        )
    return space, await _add(
        session,
        principal,
        space,
        SpaceAssessment(
            id=uuid.uuid4(),
            space_id=space.id,
            year=data.year,
            revision=1,
            grade=data.grade,
            document_no=data.document_no,
            assessed_on=data.assessed_on,
            correction_reason=None,
        ),
    )


async def correct_assessment(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    year: int,
    data: AssessmentCorrection,
) -> tuple[Space, SpaceAssessment]:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    current = await repository.latest_for_year(session, space.id, year)
    if current is None:
        raise AssessmentNotFound(
            f"No {year} result is recorded for space {space_id}; record it with "
            f"POST /v1/spaces/{space_id}/assessments"
        )
    errors = future_date_errors("body.assessed_on", data.assessed_on)
    if not errors and data.assessed_on < current.assessed_on:
        errors.append(
            _field(
                "body.assessed_on",
                f"is before the result it corrects (revision {current.revision}, "
                f"{current.assessed_on})",
            )
        )
    if (data.grade, data.document_no, data.assessed_on) == (
        current.grade,
        current.document_no,
        current.assessed_on,
    ):
        errors.append(
            _field(
                "body.grade",
                f"grade, document_no and assessed_on are those of revision {current.revision}; "
                "a correction changes something",
            )
        )
    if errors:
        _raise_all(errors)
    return space, await _add(
        session,
        principal,
        space,
        SpaceAssessment(
            id=uuid.uuid4(),
            space_id=space.id,
            year=year,
            revision=current.revision + 1,
            grade=data.grade,
            document_no=data.document_no,
            assessed_on=data.assessed_on,
            correction_reason=data.reason,
        ),
    )


async def list_assessments(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    year: int | None,
    page: PageParams,
) -> Sequence[tuple[SpaceAssessment, bool]]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.page_of_space(session, space.id, year, page)


async def _add(
    session: AsyncSession, principal: Principal, space: Space, assessment: SpaceAssessment
) -> SpaceAssessment:
    assessment.recorded_at = utcnow()
    assessment.recorded_by = principal.subject
    await repository.add(session, assessment)
    await outbox.publish(
        session,
        SpaceAssessed,
        space,
        occurred_on=assessment.assessed_on,
        document_no=assessment.document_no,
        year=assessment.year,
        grade=assessment.grade,
    )
    return assessment


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise AssessmentInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)
