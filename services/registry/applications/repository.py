"""SQL for applications. Every read takes the caller's scope and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.applications.models import (
    Application,
    ApplicationAction,
    ApplicationExpert,
    ApplicationState,
    ApplicationStep,
    Objection,
    ObjectionResolution,
    PublicityNotice,
    RecognitionBatch,
)
from services.registry.documents.models import Document
from services.registry.spaces.models import Space
from shared.pagination import PageParams, keyset_page


@dataclass(frozen=True, slots=True)
class Scope:
    """Which applications a caller sees: one jurisdiction's (a district), the ones an expert
    is or was assigned to, or all (None in both)."""

    jurisdiction: str | None = None
    expert: str | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    state: ApplicationState | None = None
    jurisdiction_code: str | None = None
    space_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    states: frozenset[ApplicationState] | None = None  # a worklist's states
    ids: frozenset[uuid.UUID] | None = None  # e.g. those with an overdue clock
    awaiting_expert: str | None = None  # under review, assigned this round, no review yet


def _scoped(stmt: sa.Select[Application, Space], scope: Scope) -> sa.Select[Application, Space]:
    if scope.jurisdiction is not None:
        stmt = stmt.where(Space.jurisdiction_code == scope.jurisdiction)
    if scope.expert is not None:
        stmt = stmt.where(
            sa.exists().where(
                ApplicationExpert.application_id == Application.id,
                ApplicationExpert.expert_subject == scope.expert,
            )
        )
    return stmt


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


async def get(
    session: AsyncSession, application_id: uuid.UUID, scope: Scope, *, for_update: bool = False
) -> tuple[Application, Space] | None:
    stmt = _scoped(
        sa.select(Application, Space)
        .join(Space, Space.id == Application.space_id)
        .where(Application.id == application_id),
        scope,
    )
    if for_update:
        stmt = stmt.with_for_update(of=Application)
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def open_of_space(session: AsyncSession, space_id: uuid.UUID) -> Application | None:
    stmt = sa.select(Application).where(
        Application.space_id == space_id, sa.text("applications." + _OPEN)
    )
    return (await session.scalars(stmt)).first()


_OPEN = "state NOT IN ('recognised', 'rejected', 'withdrawn')"


async def list_page(
    session: AsyncSession, scope: Scope, filters: Filters, page: PageParams
) -> Sequence[tuple[Application, Space]]:
    stmt = _scoped(
        sa.select(Application, Space).join(Space, Space.id == Application.space_id), scope
    )
    if filters.state is not None:
        stmt = stmt.where(Application.state == filters.state)
    if filters.states is not None:
        stmt = stmt.where(Application.state.in_(sorted(filters.states)))
    if filters.ids is not None:
        stmt = stmt.where(Application.id.in_(sorted(filters.ids)))
    if filters.jurisdiction_code is not None:
        stmt = stmt.where(Space.jurisdiction_code == filters.jurisdiction_code)
    if filters.space_id is not None:
        stmt = stmt.where(Application.space_id == filters.space_id)
    if filters.date_from is not None:
        stmt = stmt.where(Application.application_date >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Application.application_date <= filters.date_to)
    if filters.awaiting_expert is not None:
        expert = filters.awaiting_expert
        stmt = stmt.where(
            Application.state == ApplicationState.UNDER_REVIEW,
            sa.exists().where(
                ApplicationExpert.application_id == Application.id,
                ApplicationExpert.round == Application.round,
                ApplicationExpert.expert_subject == expert,
            ),
            ~sa.exists().where(
                ApplicationStep.application_id == Application.id,
                ApplicationStep.round == Application.round,
                ApplicationStep.action == ApplicationAction.EXPERT_REVIEW,
                ApplicationStep.actor_subject == expert,
            ),
        )
    paged: sa.Select[Any] = keyset_page(
        stmt,  # type: ignore[arg-type]
        [Application.created_at.expression, Application.id.expression],
        page,
        [_instant, uuid.UUID],
    )
    return [(row[0], row[1]) for row in (await session.execute(paged)).all()]


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(value)


async def steps_page(
    session: AsyncSession, application_id: uuid.UUID, page: PageParams
) -> Sequence[ApplicationStep]:
    stmt = sa.select(ApplicationStep).where(ApplicationStep.application_id == application_id)
    stmt = keyset_page(stmt, [ApplicationStep.seq.expression], page, [int])
    return (await session.scalars(stmt)).all()


async def steps_of_round(
    session: AsyncSession, application_id: uuid.UUID, round_: int, action: ApplicationAction
) -> Sequence[ApplicationStep]:
    stmt = (
        sa.select(ApplicationStep)
        .where(
            ApplicationStep.application_id == application_id,
            ApplicationStep.round == round_,
            ApplicationStep.action == action,
        )
        .order_by(ApplicationStep.seq)
    )
    return (await session.scalars(stmt)).all()


async def experts_of_round(
    session: AsyncSession, application_id: uuid.UUID, round_: int
) -> Sequence[ApplicationExpert]:
    stmt = (
        sa.select(ApplicationExpert)
        .where(
            ApplicationExpert.application_id == application_id,
            ApplicationExpert.round == round_,
        )
        .order_by(ApplicationExpert.assigned_at, ApplicationExpert.expert_subject)
    )
    return (await session.scalars(stmt)).all()


async def expert_reviews_space(session: AsyncSession, expert: str, space_id: uuid.UUID) -> bool:
    """Whether ``expert`` is assigned, this round, to an application of the space under review."""
    stmt = sa.select(
        sa.exists().where(
            Application.space_id == space_id,
            Application.state == ApplicationState.UNDER_REVIEW,
            ApplicationExpert.application_id == Application.id,
            ApplicationExpert.round == Application.round,
            ApplicationExpert.expert_subject == expert,
        )
    )
    return bool(await session.scalar(stmt))


async def get_publicity(
    session: AsyncSession, publicity_id: uuid.UUID, *, for_update: bool = False
) -> PublicityNotice | None:
    stmt = sa.select(PublicityNotice).where(PublicityNotice.id == publicity_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def publicity_by_notice(session: AsyncSession, notice_no: str) -> PublicityNotice | None:
    stmt = sa.select(PublicityNotice).where(PublicityNotice.notice_no == notice_no)
    return (await session.scalars(stmt)).first()


async def applications_of_publicity(
    session: AsyncSession, publicity_id: uuid.UUID, *, for_update: bool = False
) -> Sequence[tuple[Application, Space]]:
    stmt = (
        sa.select(Application, Space)
        .join(Space, Space.id == Application.space_id)
        .where(Application.publicity_id == publicity_id)
        .order_by(Application.created_at, Application.id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Application)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def objections_of(
    session: AsyncSession, application_id: uuid.UUID
) -> Sequence[tuple[Objection, ObjectionResolution | None]]:
    stmt = (
        sa.select(Objection, ObjectionResolution)
        .outerjoin(ObjectionResolution, ObjectionResolution.objection_id == Objection.id)
        .where(Objection.application_id == application_id)
        .order_by(Objection.recorded_at, Objection.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def batch_by_document(session: AsyncSession, document_no: str) -> RecognitionBatch | None:
    stmt = sa.select(RecognitionBatch).where(RecognitionBatch.document_no == document_no)
    return (await session.scalars(stmt)).first()


async def get_batch(session: AsyncSession, batch_id: uuid.UUID) -> RecognitionBatch | None:
    return await session.get(RecognitionBatch, batch_id)


async def last_plaque_seq(session: AsyncSession, year: int) -> int:
    stmt = sa.select(sa.func.max(Application.plaque_seq)).where(Application.plaque_year == year)
    return int(await session.scalar(stmt) or 0)


async def lock_plaques(session: AsyncSession) -> None:
    """Hold plaque numbering to this transaction (PostgreSQL); SQLite has one writer anyway."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PLAQUE_LOCK_KEY)))


_PLAQUE_LOCK_KEY = 0x4C5A504C51  # "LZPLQ"


async def step_dates(
    session: AsyncSession, application_id: uuid.UUID
) -> tuple[date | None, date | None]:
    """When the application's current state began, and the latest date of any of its steps;
    the drafting is not a step of legal meaning (an application records a procedure that may
    have begun on paper before its draft was filed here)."""
    moved = sa.or_(
        ApplicationStep.from_state.is_(None), ApplicationStep.from_state != ApplicationStep.to_state
    )
    stmt = sa.select(
        sa.func.max(sa.case((moved, ApplicationStep.effective_on))),
        sa.func.max(ApplicationStep.effective_on),
    ).where(
        ApplicationStep.application_id == application_id,
        ApplicationStep.action != ApplicationAction.CREATE,
    )
    row = (await session.execute(stmt)).one()
    return row[0], row[1]


async def get_objection(
    session: AsyncSession, application_id: uuid.UUID, objection_id: uuid.UUID
) -> tuple[Objection, ObjectionResolution | None] | None:
    stmt = (
        sa.select(Objection, ObjectionResolution)
        .outerjoin(ObjectionResolution, ObjectionResolution.objection_id == Objection.id)
        .where(Objection.id == objection_id, Objection.application_id == application_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def unresolved_objections(session: AsyncSession, application_id: uuid.UUID) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Objection)
        .outerjoin(ObjectionResolution, ObjectionResolution.objection_id == Objection.id)
        .where(
            Objection.application_id == application_id, ObjectionResolution.objection_id.is_(None)
        )
    )
    return int(await session.scalar(stmt) or 0)


async def documents_of_space(
    session: AsyncSession, space_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` are documents of the space."""
    if not ids:
        return set()
    stmt = sa.select(Document.id).where(Document.space_id == space_id, Document.id.in_(ids))
    return set((await session.scalars(stmt)).all())


async def applications_of_batch(
    session: AsyncSession, batch_id: uuid.UUID
) -> Sequence[tuple[Application, Space]]:
    stmt = (
        sa.select(Application, Space)
        .join(Space, Space.id == Application.space_id)
        .where(Application.recognition_batch_id == batch_id)
        .order_by(Application.plaque_seq)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
