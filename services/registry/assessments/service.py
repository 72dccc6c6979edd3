"""The rules for annual assessment results (年度考核) and their consequences (动态管理); no HTTP.

The bureau records one result per space and year, for a space that is recognised (or under
rectification) on the result's date. A correction is the year's next revision with its
reason; the latest revision is in force, and every one is kept. Each result and correction
emits ``space.assessed`` (a correction's event carries the corrected grade: a receiver keeps
the latest event for a space and year).

A result in force that makes a year 不合格 acts in the same transaction (《办法》: 年度考核不合格
的，限期整改；连续两年考核不合格的，取消其市级众创空间认定):

- if the year before or after is 不合格 too and the space is still recognised or under
  rectification, the recognition is revoked (reason ``failed_assessments``, naming both
  results), effective on the result's date (or the day the current status began, if later);
- otherwise a recognised space is put under rectification from that date until the result's
  ``rectification_deadline``, or the registry's default period; a space already under
  rectification stays under the rectification it has.

A correction that leaves a year 不合格 acts no further, and one that turns a 不合格 into a pass
undoes nothing: a revocation is final, and a rectification runs until the bureau ends it
(``rectification-end``), which it may do on the strength of the correction.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from datetime import date
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.activities.models import ActivityKind
from services.registry.assessments import repository
from services.registry.assessments.models import SpaceAssessment
from services.registry.assessments.schemas import (
    AssessmentConsequence,
    AssessmentCorrection,
    AssessmentCreate,
    AssessmentIndicators,
    AssessmentScoring,
)
from services.registry.clients.eligibility import EligibilityClient
from services.registry.events import outbox
from services.registry.facts import repository as facts_repository
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.status import service as status
from services.registry.status.models import SpaceStatusChange
from services.registry.status.schemas import RectificationCreate, RevocationCreate
from shared.auth import Principal
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.contracts.events import RevocationReason, SpaceAssessed
from shared.contracts.facts import Incident, Listing
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, ProblemError, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china

ASSESSABLE = frozenset({SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION})
FAILED = AssessmentGrade.UNQUALIFIED
FAILED_ASSESSMENTS_BASIS = (
    "《兰州市众创空间认定管理办法》：连续两年考核不合格的，取消其市级众创空间认定"
)


class AssessmentNotFound(NotFound):
    slug = "assessment-not-found"


class AssessmentInvalid(RequestInvalid):
    slug = "assessment-invalid"


class AssessmentExists(Conflict):
    slug = "assessment-exists"


class SpaceNotAssessable(Conflict):
    slug = "assessment-space-not-recognised"


class AssessmentScoreIncomplete(ProblemError):
    status, slug = 422, "assessment-score-incomplete"
    title = "The scheme gave no grade: facts are missing"


class IndicatorYearInvalid(RequestInvalid):
    slug = "assessment-indicator-year-invalid"


async def record_assessment(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    data: AssessmentCreate,
    *,
    default_months: int,
    score_receipt_id: uuid.UUID | None = None,
) -> tuple[Space, SpaceAssessment]:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    await _refuse_unrecordable(
        session,
        space,
        data.year,
        data.assessed_on,
        _deadline_errors(data.grade, data.assessed_on, data.rectification_deadline),
    )
    assessment = await _add(
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
            score_receipt_id=score_receipt_id,
        ),
    )
    await _act_on(
        session, principal, space, assessment, None, data.rectification_deadline, default_months
    )
    return space, assessment


async def score_and_record(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    year: int,
    data: AssessmentScoring,
    eligibility: EligibilityClient,
    *,
    default_months: int,
) -> tuple[Space, SpaceAssessment]:
    """Have the year's indicators scored with the year's scheme, and record the grade it gives
    with the score receipt's id (and its consequences, as for any recorded result).

    Checked before the eligibility service is asked, and again under the space's lock after:
    a refusal records nothing here (at most an unreferenced receipt stays there).
    """
    space = await spaces.get_space(session, principal, space_id)
    deadline = data.rectification_deadline
    early = (
        []
        if deadline is None or deadline >= data.assessed_on
        else _deadline_errors(AssessmentGrade.UNQUALIFIED, data.assessed_on, deadline)
    )
    await _refuse_unrecordable(session, space, year, data.assessed_on, early)
    found = await indicators(session, principal, space.id, year)
    facts = found.facts.model_copy(update={"financing_obtained_fen": data.financing_obtained_fen})
    receipt = await eligibility.score_assessment(facts)
    if receipt.result.grade is None:
        missing = ", ".join(receipt.result.missing_facts) or "unknown"
        raise AssessmentScoreIncomplete(
            f"The {year} scheme ({receipt.result.scheme.id}) gave no grade: facts missing: "
            f"{missing}. Give financing_obtained_fen, or record the missing facts in the "
            "registry, and try again",
            missing_facts=receipt.result.missing_facts,
            score_receipt_id=str(receipt.id),
        )
    return await record_assessment(
        session,
        principal,
        space.id,
        AssessmentCreate(
            year=year,
            grade=receipt.result.grade,
            document_no=data.document_no,
            assessed_on=data.assessed_on,
            rectification_deadline=deadline,
        ),
        default_months=default_months,
        score_receipt_id=receipt.id,
    )


async def _refuse_unrecordable(
    session: AsyncSession,
    space: Space,
    year: int,
    assessed_on: date,
    errors: list[FieldError],
) -> None:
    """Refuse a first result for ``year`` dated ``assessed_on`` that cannot be recorded."""
    existing = await repository.latest_for_year(session, space.id, year)
    if existing is not None:
        raise AssessmentExists(
            f"The {year} result is already recorded ({existing.grade.value}, "
            f"{existing.document_no}, revision {existing.revision}); to change it, "
            f"POST /v1/spaces/{space.id}/assessments/{year}/corrections with a reason",
            existing_id=str(existing.id),
        )
    dates = future_date_errors("body.assessed_on", assessed_on)
    if not dates and assessed_on.year < year:
        dates.append(_field("body.assessed_on", f"is before the year assessed ({year}) began"))
    if dates or errors:
        _raise_all(dates + errors)
    record = await status.status_in_force(session, space.id, assessed_on)
    if record is None or record.status not in ASSESSABLE:
        was = "not yet open" if record is None else record.status.value
        raise SpaceNotAssessable(
            f"The space was {was} on {assessed_on}; only a recognised space (or one under "
            "rectification) is assessed",
            status_on_assessed_on=None if record is None else record.status.value,
        )


async def correct_assessment(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    year: int,
    data: AssessmentCorrection,
    *,
    default_months: int,
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
    errors += _deadline_errors(data.grade, data.assessed_on, data.rectification_deadline)
    if errors:
        _raise_all(errors)
    assessment = await _add(
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
    await _act_on(
        session,
        principal,
        space,
        assessment,
        current.grade,
        data.rectification_deadline,
        default_months,
    )
    return space, assessment


async def list_assessments(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    year: int | None,
    page: PageParams,
) -> Sequence[tuple[SpaceAssessment, bool]]:
    space = await spaces.get_space(session, principal, space_id)
    return await repository.page_of_space(session, space.id, year, page)


async def indicators(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, year: int
) -> AssessmentIndicators:
    """The year's indicators from the registry's records, through 31 December or today."""
    space = await spaces.get_space(session, principal, space_id)
    today = today_in_china()
    if year > today.year:
        message = f"{year} has not begun (China time); indicators exist up to {today.year}"
        raise IndicatorYearInvalid(f"year: {message}", [_field("path.year", message)])
    start = date(year, 1, 1)
    through = min(date(year, 12, 31), today)
    activities = await repository.activity_counts(session, space.id, start, through)
    # 培训: training, salons, lectures and camps, as C7 counts them; 辅导: mentoring apart.
    training = [activities.get(kind, (0, 0)) for kind in facts_repository.TRAINING_KINDS]
    teams, admitted, registered = await repository.team_counts(session, space.id, start, through)
    incidents = await facts_repository.incidents_through(session, space.id, through)
    listings = await facts_repository.listings_through(session, space.id, through)
    return AssessmentIndicators(
        space_id=space.id,
        year=year,
        through=through,
        complete=through == date(year, 12, 31) and through < today,
        facts=AssessmentFacts(
            space_id=space.id,
            jurisdiction_code=JurisdictionCode(space.jurisdiction_code),
            year=year,
            training_sessions=sum(count for count, _ in training),
            training_attendance=sum(attendance for _, attendance in training),
            mentoring_sessions=activities.get(ActivityKind.MENTORING, (0, 0))[0],
            teams_in_incubation=teams,
            new_teams_admitted=admitted,
            graduated_teams_registered_enterprises=registered,
            financing_obtained_fen=None,
            incidents=tuple(
                Incident(kind=i.kind, severity=i.severity, occurred_on=i.occurred_on)
                for i in incidents
            ),
            listings=tuple(
                Listing(
                    list=entry.list_kind,
                    listed_on=entry.listed_on,
                    removed_on=(
                        entry.removed_on
                        if entry.removed_on is not None and entry.removed_on <= through
                        else None
                    ),
                )
                for entry in listings
            ),
        ),
    )


async def consequences(
    session: AsyncSession, assessments: Sequence[SpaceAssessment]
) -> dict[uuid.UUID, AssessmentConsequence]:
    """The rectification or revocation each result gave rise to, by the result's id."""
    found = await status.consequences_of(session, [a.id for a in assessments])
    return {
        assessment_id: AssessmentConsequence(
            act=change.act,
            status_change_id=change.id,
            effective_on=change.effective_on,
            document_no=change.document_no,
            deadline=change.rectification_deadline,
            reason=change.revocation_reason,
            prior_assessment_id=None if prior is None else prior.id,
            prior_year=None if prior is None else prior.year,
        )
        for assessment_id, (change, _, prior) in found.items()
    }


async def _act_on(
    session: AsyncSession,
    principal: Principal,
    space: Space,
    assessment: SpaceAssessment,
    grade_before: AssessmentGrade | None,
    deadline: date | None,
    default_months: int,
) -> SpaceStatusChange | None:
    """限期整改 or 取消认定 for a result that newly makes its year 不合格; see the module."""
    if assessment.grade is not FAILED or grade_before is FAILED:
        return None
    current, began = await status.current_status(session, space)
    if current.status not in ASSESSABLE:
        return None
    effective_on = max(assessment.assessed_on, began)
    failed = await status.failed_years(session, space.id)
    neighbour = failed.get(assessment.year - 1) or failed.get(assessment.year + 1)
    if neighbour is not None:
        earlier, later = sorted((neighbour, assessment), key=lambda a: a.year)
        _, change = await status.revoke(
            session,
            principal,
            space.id,
            RevocationCreate(
                effective_on=effective_on,
                document_no=assessment.document_no,
                reason=RevocationReason.FAILED_ASSESSMENTS,
                legal_basis=FAILED_ASSESSMENTS_BASIS,
                remarks=f"{earlier.year}年度（{earlier.document_no}）、{later.year}年度"
                f"（{later.document_no}）连续两年考核不合格",
            ),
            failed=(neighbour, assessment),
        )
        return change
    if current.status is not SpaceStatus.RECOGNISED:
        return None  # already under rectification: that rectification runs on
    _, change = await status.order_rectification(
        session,
        principal,
        space.id,
        RectificationCreate(
            effective_on=effective_on,
            document_no=assessment.document_no,
            deadline=deadline or add_months(effective_on, default_months),
            remarks=f"{assessment.year}年度考核不合格（{assessment.document_no}），限期整改",
        ),
        failed=assessment,
    )
    return change


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it has none)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _deadline_errors(
    grade: AssessmentGrade, assessed_on: date, deadline: date | None
) -> list[FieldError]:
    if deadline is None:
        return []
    if grade is not FAILED:
        return [
            _field(
                "body.rectification_deadline",
                f"applies only to a 不合格 result (this one is {grade.value}); leave it out",
            )
        ]
    if deadline < assessed_on:
        return [_field("body.rectification_deadline", f"is before assessed_on ({assessed_on})")]
    return []


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
