"""Which jurisdiction manages a space now, as the subsidy knows it: the scope of every read.

A district officer sees the money of the spaces its jurisdiction manages now. An award,
payment or case keeps the jurisdiction it was made in (nothing financial is rewritten); a
space the registry has since moved (``space.moved``) belongs to the latest move's
jurisdiction, so after a move the new district sees all of the space's money and the old one
gets the same 404 as for a space it never had.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.events.models import SpaceMove
from shared.auth import Principal


def current_jurisdiction(
    space_id: sa.ColumnElement[uuid.UUID], recorded: sa.ColumnElement[str]
) -> sa.ColumnElement[str]:
    """SQL: the jurisdiction managing the space ``space_id`` now, for a row that recorded
    ``recorded`` when it was made."""
    latest = (
        sa.select(SpaceMove.to_code)
        .where(SpaceMove.space_id == space_id)
        .order_by(SpaceMove.move_no.desc())
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(latest, recorded)


def of_rows(model: Any) -> sa.ColumnElement[str]:
    """``current_jurisdiction`` for a table with ``space_id`` and ``jurisdiction_code``."""
    return current_jurisdiction(model.space_id.expression, model.jurisdiction_code.expression)


async def jurisdiction_of(session: AsyncSession, space_id: uuid.UUID, recorded: str) -> str:
    latest = await session.scalar(
        sa.select(SpaceMove.to_code)
        .where(SpaceMove.space_id == space_id)
        .order_by(SpaceMove.move_no.desc())
        .limit(1)
    )
    return recorded if latest is None else latest


async def sees(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, recorded: str
) -> bool:
    """Whether ``principal`` may see a record of ``space_id`` made in ``recorded``."""
    if principal.jurisdiction_scope is None:
        return True
    return principal.sees_jurisdiction(await jurisdiction_of(session, space_id, recorded))
