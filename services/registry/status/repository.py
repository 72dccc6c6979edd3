"""SQL for status records. The caller has already found the space within its scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registry.assessments.models import SpaceAssessment
from services.registry.spaces.models import Space
from services.registry.status.models import SpaceStatusChange, StatusAct, StatusActGround
from shared.contracts.assessment import AssessmentGrade
from shared.pagination import PageParams, keyset_page


async def add(session: AsyncSession, change: SpaceStatusChange) -> SpaceStatusChange:
    session.add(change)
    await session.flush()
    return change


async def latest(session: AsyncSession, space_id: uuid.UUID) -> SpaceStatusChange | None:
    """The space's current status record (the highest ``seq``)."""
    stmt = (
        sa.select(SpaceStatusChange)
        .where(SpaceStatusChange.space_id == space_id)
        .order_by(SpaceStatusChange.seq.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def in_force(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> SpaceStatusChange | None:
    """The status record in force at the end of ``on``; None before the space opened.

    The registration record (seq 1) is in force from the space's current ``opened_on``, which
    a correction may have moved since the record was written (the record itself is kept).
    """
    began = sa.case(
        (SpaceStatusChange.seq == 1, Space.opened_on), else_=SpaceStatusChange.effective_on
    )
    stmt = (
        sa.select(SpaceStatusChange)
        .join(Space, Space.id == SpaceStatusChange.space_id)
        .where(SpaceStatusChange.space_id == space_id, began <= on)
        .order_by(SpaceStatusChange.seq.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def history_page(
    session: AsyncSession, space_id: uuid.UUID, page: PageParams
) -> Sequence[SpaceStatusChange]:
    stmt = sa.select(SpaceStatusChange).where(SpaceStatusChange.space_id == space_id)
    stmt = keyset_page(stmt, [SpaceStatusChange.seq.expression], page, [int])
    return (await session.scalars(stmt)).all()


def current_of(space_id: sa.ColumnElement[uuid.UUID]) -> sa.ScalarSelect[int]:
    """The ``seq`` of the current record of the space ``space_id`` (a correlated subquery)."""
    return (
        sa.select(sa.func.max(SpaceStatusChange.seq))
        .where(SpaceStatusChange.space_id == space_id)
        .scalar_subquery()
    )


async def add_ground(session: AsyncSession, ground: StatusActGround) -> StatusActGround:
    session.add(ground)
    await session.flush()
    return ground


async def failed_years(session: AsyncSession, space_id: uuid.UUID) -> dict[int, SpaceAssessment]:
    """The space's years whose result in force (the latest revision) is 不合格, by year."""
    newest = (
        sa.select(SpaceAssessment.year, sa.func.max(SpaceAssessment.revision).label("revision"))
        .where(SpaceAssessment.space_id == space_id)
        .group_by(SpaceAssessment.year)
        .subquery()
    )
    stmt = (
        sa.select(SpaceAssessment)
        .join(
            newest,
            sa.and_(
                SpaceAssessment.year == newest.c.year,
                SpaceAssessment.revision == newest.c.revision,
            ),
        )
        .where(
            SpaceAssessment.space_id == space_id,
            SpaceAssessment.grade == AssessmentGrade.UNQUALIFIED,
        )
    )
    return {a.year: a for a in (await session.scalars(stmt)).all()}


async def grounds_of(
    session: AsyncSession, status_change_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[StatusActGround, SpaceAssessment, SpaceAssessment | None]]:
    """The grounds of those status records that have any, with the results they name."""
    if not status_change_ids:
        return {}
    prior = aliased(SpaceAssessment)
    stmt = (
        sa.select(StatusActGround, SpaceAssessment, prior)
        .join(SpaceAssessment, SpaceAssessment.id == StatusActGround.assessment_id)
        .outerjoin(prior, prior.id == StatusActGround.prior_assessment_id)
        .where(StatusActGround.status_change_id.in_(status_change_ids))
    )
    return {
        row[0].status_change_id: (row[0], row[1], row[2])
        for row in (await session.execute(stmt)).all()
    }


async def consequences_of(
    session: AsyncSession, assessment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[SpaceStatusChange, StatusActGround, SpaceAssessment | None]]:
    """The status act each of those results gave rise to (if any), by the result's id."""
    if not assessment_ids:
        return {}
    prior = aliased(SpaceAssessment)
    stmt = (
        sa.select(SpaceStatusChange, StatusActGround, prior)
        .join(StatusActGround, StatusActGround.status_change_id == SpaceStatusChange.id)
        .outerjoin(prior, prior.id == StatusActGround.prior_assessment_id)
        .where(StatusActGround.assessment_id.in_(assessment_ids))
    )
    return {row[1].assessment_id: (row[0], row[1], row[2]) for row in (await session.execute(stmt))}


async def rectifications_page(
    session: AsyncSession,
    scope: str | None,
    overdue_on: date | None,
    page: PageParams,
) -> Sequence[tuple[SpaceStatusChange, Space]]:
    """Spaces under rectification now (their current record is a rectification), by deadline;
    with ``overdue_on``, only those whose deadline is before that day; ``scope`` a district."""
    later = aliased(SpaceStatusChange)
    stmt = (
        sa.select(SpaceStatusChange, Space)
        .join(Space, Space.id == SpaceStatusChange.space_id)
        .where(
            SpaceStatusChange.act == StatusAct.RECTIFICATION,
            # The current record: no later one for the space.
            ~sa.exists().where(
                later.space_id == SpaceStatusChange.space_id, later.seq > SpaceStatusChange.seq
            ),
        )
    )
    if scope is not None:
        stmt = stmt.where(Space.jurisdiction_code == scope)
    if overdue_on is not None:
        stmt = stmt.where(SpaceStatusChange.rectification_deadline < overdue_on)
    paged = keyset_page(
        cast("sa.Select[Any]", stmt),  # a two-entity select pages like any other
        [SpaceStatusChange.rectification_deadline.expression, SpaceStatusChange.id.expression],
        page,
        [date.fromisoformat, uuid.UUID],
    )
    return [(row[0], row[1]) for row in (await session.execute(paged)).all()]
