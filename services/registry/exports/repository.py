"""SQL for what an export adds to a page of the space list: the operators' names and codes and
the levels held, each read for the whole page in one statement (never one per space)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.levels.models import SpaceLevelGrant
from services.registry.levels.repository import held_condition
from services.registry.operators.models import Operator
from shared.contracts.spaces import SpaceLevel


async def operator_names(
    session: AsyncSession, operator_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Each operator's current name and 统一社会信用代码. The caller's spaces name them, and a
    space's operator is in the space's jurisdiction, so no scope is needed beyond the list's."""
    if not operator_ids:
        return {}
    rows = await session.execute(
        sa.select(Operator.id, Operator.name, Operator.uscc).where(Operator.id.in_(operator_ids))
    )
    return {operator_id: (name, uscc) for operator_id, name, uscc in rows}


async def levels_held(
    session: AsyncSession, space_ids: Collection[uuid.UUID], on: date
) -> dict[uuid.UUID, list[tuple[SpaceLevel, str]]]:
    """Each space's grants held at the end of ``on``: (level, document number), oldest first."""
    if not space_ids:
        return {}
    rows = await session.execute(
        sa.select(SpaceLevelGrant.space_id, SpaceLevelGrant.level, SpaceLevelGrant.document_no)
        .where(SpaceLevelGrant.space_id.in_(space_ids), held_condition(on))
        .order_by(SpaceLevelGrant.effective_on, SpaceLevelGrant.recorded_at, SpaceLevelGrant.id)
    )
    held: dict[uuid.UUID, list[tuple[SpaceLevel, str]]] = {}
    for space_id, level, document_no in rows:
        held.setdefault(space_id, []).append((SpaceLevel(level), document_no))
    return held
